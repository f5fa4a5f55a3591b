import {existsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {Flags} from '@oclif/core'
import {RtopoCommand} from '../base-command.js'
import {RtopoError} from '../errors.js'
import {INI_FILE, INI_TEMPLATE} from '../../topology/ini-defaults.js'

export default class Init extends RtopoCommand {
  static override summary = 'Write a commented rtopo.ini with the defaults of rtopo up'
  static override flags = {force: Flags.boolean({description: 'overwrite an existing rtopo.ini'})}

  async run(): Promise<{path: string}> {
    const {flags} = await this.parse(Init)
    const path = join(process.cwd(), INI_FILE)
    if (existsSync(path) && !flags.force) throw new RtopoError(`${path} already exists`, ['rtopo init --force'])
    writeFileSync(path, INI_TEMPLATE)
    this.log(`wrote ${path}`)
    return {path}
  }
}
