// Node config templates: {{name}} placeholders, {{#section}}…{{/section}} blocks repeated per item, and lines
// whose placeholder has no value dropped (replicaof on a master, requirepass without --password).
// A placeholder the renderer does not know is an error naming the file and line.

import {existsSync, readFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

export type TemplateValues = Record<string, string | undefined | readonly Record<string, string | undefined>[]>

export class TemplateError extends Error {
  override readonly name = 'TemplateError'
}

/** The templates shipped with the package. */
export const BUILTIN_TEMPLATES = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates')

export function loadTemplate(dir: string, file: 'redis.conf' | 'sentinel.conf'): {path: string; text: string} {
  const path = join(dir, file)
  if (!existsSync(path)) throw new TemplateError(`template ${path} not found`)
  return {path, text: readFileSync(path, 'utf8')}
}

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g

export function renderTemplate(text: string, values: TemplateValues, source: string): string {
  const lines = text.split('\n')
  const out: string[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    const open = /^\s*\{\{#([a-z_]+)\}\}\s*$/.exec(line)
    if (open) {
      const name = open[1] as string
      const end = lines.findIndex((l, j) => j > i && l.trim() === `{{/${name}}}`)
      if (end < 0) throw new TemplateError(`${source}:${i + 1}: section {{#${name}}} is never closed`)
      const items = values[name]
      if (!Array.isArray(items)) throw new TemplateError(`${source}:${i + 1}: unknown section '${name}'`)
      for (const item of items as readonly Record<string, string | undefined>[]) {
        for (let j = i + 1; j < end; j++) {
          const rendered = renderLine(lines[j] as string, {...values, ...item}, source, j + 1)
          if (rendered !== undefined) out.push(rendered)
        }
      }
      i = end
      continue
    }
    const rendered = renderLine(line, values, source, i + 1)
    if (rendered !== undefined) out.push(rendered)
  }
  return out.join('\n')
}

/** The rendered line, or undefined when one of its placeholders has no value. */
function renderLine(line: string, values: TemplateValues, source: string, lineNo: number): string | undefined {
  let missing = false
  const rendered = line.replace(PLACEHOLDER, (_, name: string) => {
    if (!(name in values)) throw new TemplateError(`${source}:${lineNo}: unknown placeholder {{${name}}}`)
    const value = values[name]
    if (Array.isArray(value)) throw new TemplateError(`${source}:${lineNo}: {{${name}}} is a section, not a value`)
    if (value === undefined || value === '') {
      missing = true
      return ''
    }
    return value as string
  })
  return missing ? undefined : rendered
}
