import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {IniError, INI_TEMPLATE, readIniDefaults} from '../../src/topology/ini-defaults.js'
import {planTopology, PlanError, type PlanOptions} from '../../src/topology/plan.js'
import {renderNodeConfig} from '../../src/topology/render.js'
import {BUILTIN_TEMPLATES, renderTemplate, TemplateError} from '../../src/topology/templates.js'

const base: PlanOptions = {
  masters: 1, replicas: 2, sentinels: 3, port: 7000, sentinelPort: 27000, downAfterMs: 1000, failoverTimeoutMs: 10000,
  parallelSyncs: 1, engine: 'redis', chain: false, name: 'mymaster', stateDir: '/tmp/rtopo-plan',
}

describe('planTopology', () => {
  it('numbers nodes, ports and files, with a majority quorum', () => {
    const plan = planTopology(base)
    expect(plan.nodes.map((n) => `${n.id}:${n.port}`)).toEqual([
      'master-1:7000', 'replica-1:7001', 'replica-2:7002', 'sentinel-1:27000', 'sentinel-2:27001', 'sentinel-3:27002',
    ])
    expect(plan.quorum).toBe(2)
    expect(plan.nodes[1]).toMatchObject({replicaOf: 'master-1', group: 'mymaster', dbfilename: 'dump-7001.rdb', pidfile: '/tmp/rtopo-plan/replica-1/replica-1.pid'})
  })

  it('chains replicas and names groups when there are several masters', () => {
    expect(planTopology({...base, chain: true}).nodes[2]?.replicaOf).toBe('replica-1')
    const multi = planTopology({...base, masters: 2, replicas: 1})
    expect(multi.groups).toEqual([{name: 'mymaster-1', master: 'master-1'}, {name: 'mymaster-2', master: 'master-2'}])
    expect(multi.nodes.map((n) => n.id)).toContain('replica-2-1')
  })

  it('rejects impossible counts and clashing ports', () => {
    expect(() => planTopology({...base, masters: 0})).toThrow(PlanError)
    expect(() => planTopology({...base, quorum: 4})).toThrow('quorum 4 is impossible with 3 sentinel(s)')
    expect(() => planTopology({...base, sentinelPort: 7001})).toThrow('port 7001 would be used twice')
  })
})

describe('templates', () => {
  it('drops lines whose placeholder has no value and repeats sections', () => {
    const text = 'port {{port}}\nreplicaof {{replicaof}}\n{{#monitors}}\nsentinel monitor {{group}} x\n{{/monitors}}\nend'
    expect(renderTemplate(text, {port: '1', replicaof: undefined, monitors: [{group: 'a'}, {group: 'b'}]}, 't')).toBe(
      'port 1\nsentinel monitor a x\nsentinel monitor b x\nend',
    )
  })

  it('names the file and line of an unknown placeholder', () => {
    expect(() => renderTemplate('port 1\nfoo {{nope}}', {}, 'my.conf')).toThrow(new TemplateError('my.conf:2: unknown placeholder {{nope}}'))
  })

  it('renders the shipped templates for a replica and a sentinel with the password everywhere', () => {
    const plan = planTopology({...base, password: 'pw'})
    const replica = renderNodeConfig(plan, plan.nodes[1]!, BUILTIN_TEMPLATES)
    expect(replica).toContain('port 7001\n')
    expect(replica).toContain('replicaof 127.0.0.1 7000\n')
    expect(replica).toContain('requirepass "pw"')
    expect(replica).toContain('masterauth "pw"')
    const master = renderNodeConfig(plan, plan.nodes[0]!, BUILTIN_TEMPLATES)
    expect(master).not.toContain('replicaof')
    const sentinel = renderNodeConfig(plan, plan.nodes[3]!, BUILTIN_TEMPLATES)
    expect(sentinel).toContain('sentinel monitor mymaster 127.0.0.1 7000 2')
    expect(sentinel).toContain('sentinel auth-pass mymaster pw')
    expect(sentinel).toContain('sentinel down-after-milliseconds mymaster 1000')
    expect(readFileSync(join(BUILTIN_TEMPLATES, 'redis.conf'), 'utf8')).toContain('bind {{bind}}')
  })

  it('keeps Redis\'s repl-diskless-sync-delay unless the plan is --fast', () => {
    const plain = planTopology(base)
    expect(plain.fast).toBeUndefined()
    expect(renderNodeConfig(plain, plain.nodes[1]!, BUILTIN_TEMPLATES)).not.toMatch(/^repl-diskless-sync-delay/m)
    const fast = planTopology({...base, fast: true})
    expect(fast.fast).toBe(true)
    for (const node of fast.nodes.filter((n) => n.kind === 'server')) expect(renderNodeConfig(fast, node, BUILTIN_TEMPLATES)).toMatch(/^repl-diskless-sync-delay 0$/m)
    expect(renderNodeConfig(fast, fast.nodes[3]!, BUILTIN_TEMPLATES)).not.toContain('repl-diskless-sync-delay')
  })
})

describe('rtopo.ini', () => {
  it('reads [up] defaults as typed values and rejects unknown keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtopo-ini-'))
    writeFileSync(join(dir, 'rtopo.ini'), '[up]\nmasters = 2\nengine = redis\nchain = true\npassword = pw\n')
    expect(readIniDefaults(dir)).toEqual({masters: 2, engine: 'redis', chain: true, password: 'pw'})
    writeFileSync(join(dir, 'rtopo.ini'), '[up]\nmastres = 2\n')
    expect(() => readIniDefaults(dir)).toThrow(IniError)
    writeFileSync(join(dir, 'rtopo.ini'), '[up]\nfast = yes\nchain = no\n')
    expect(readIniDefaults(dir)).toEqual({fast: true, chain: false})
    writeFileSync(join(dir, 'rtopo.ini'), '[up]\nfast = maybe\n')
    expect(() => readIniDefaults(dir)).toThrow(/fast must be true or false, not maybe/)
    writeFileSync(join(dir, 'rtopo.ini'), INI_TEMPLATE)
    expect(readIniDefaults(dir)).toMatchObject({masters: 1, replicas: 2, sentinels: 3, port: 6379, engine: 'bundled'})
  })
})
