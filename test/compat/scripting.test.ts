// Lua scripting (EVAL, EVALSHA, EVAL_RO, SCRIPT) against real Redis 7.0, byte for byte: the conversions both
// ways between Lua and RESP (in RESP2 and in RESP3), number formatting, the exact error texts (they carry the
// script's sha1, which is the same on both servers), the sandbox, the redis.* library, the bundled Lua
// libraries (cjson, cmsgpack, bit, struct) and scripts inside transactions. Functions are in
// scripting-functions.test.ts.
//
// Each case is a list of commands sent to both servers on fresh connections, once in RESP2 and once in RESP3
// (after HELLO 3), with the script cache and the keyspace emptied first.

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {DifferentialPair} from '../helpers/differential.js'
import type {RawClient} from '../helpers/raw-client.js'
import {bundledMissing} from '../helpers/nodes.js'
import {realRedisMissing} from '../helpers/real-redis.js'
import {bytes, describeCases, ev, sha1, startScriptingPair, type Case} from '../helpers/script-cases.js'

const skip = realRedisMissing ?? bundledMissing

const LUA_TO_RESP: Case[] = [
  {name: 'numbers are truncated to integers', steps: [ev('return 3.99'), ev('return -3.99'), ev('return 0'), ev('return -0'), ev('return 0x10'), ev('return 1e15'), ev('return 2^53')]},
  {name: 'numbers out of the integer range and NaN/inf become LLONG_MIN', steps: [ev('return 2^63'), ev('return -2^63'), ev('return 1e300'), ev('return 0/0'), ev('return 1/0'), ev('return math.huge')]},
  {name: 'strings, empty and binary', steps: [ev("return 'hello'"), ev("return ''"), ev("return 'a\\0b\\r\\n'"), ev('return ARGV[1]', bytes('\u00ff\u0000\u00e9'))]},
  {name: 'tables are arrays that stop at the first nil', steps: [ev('return {1,2,nil,3}'), ev('return {nil,1}'), ev('return {}'), ev("return {1,'two',3.5}"), ev("return {x=1, 'only'}")]},
  {name: 'nested tables', steps: [ev("return {1,{2,{3,'x'}},'y'}"), ev('return {{},{{}}}'), ev("return {{ok='st'},{err='ERR inner'},true,false}")]},
  {name: 'ok and err tables', steps: [ev("return {ok='x'}"), ev("return {err='x'}"), ev("return {err='ERR x'}"), ev("return {err='-DASH x'}"), ev("return {ok='multi\\nline'}"), ev("return {ok=''}"), ev("return {err=''}"), ev('return {ok=5}'), ev("return {err='E', ok='O'}")]},
  {name: 'booleans and nil', steps: [ev('return true'), ev('return false'), ev('return nil'), ev('return'), ev('return {true,false,true}')]},
  {name: 'redis.error_reply and redis.status_reply', steps: [
    ev("return redis.error_reply('My Error')"), ev("return redis.error_reply('ERR my own')"), ev("return redis.error_reply('-ERR dash')"),
    ev("return redis.status_reply('FINE')"), ev("return type(redis.status_reply('x'))"), ev("return redis.status_reply('x').ok"), ev("return redis.error_reply('E x').err"),
  ]},
  {name: 'RESP3 types from tables: map, set, double, big number, booleans (with and without redis.setresp(3))', steps: [
    ev('redis.setresp(3); return {map={a=1}}'), ev('return {map={a=1}}'), ev("redis.setresp(3); return {set={a=true}}"), ev("return {set={x=true}}"),
    ev('redis.setresp(3); return {double=3.14}'), ev('return {double=3.14}'), ev('return {double=-0.5}'), ev('return {double=1/0}'), ev('return {double=-1/0}'),
    ev("redis.setresp(3); return {big_number='123'}"), ev("return {big_number='-12345678901234567890'}"),
    ev('redis.setresp(3); return true'), ev('redis.setresp(3); return false'), ev('redis.setresp(3); return nil'),
    ev("redis.setresp(3); return {map={k={1,{set={z=true}}}}}"), ev('redis.setresp(3); return {map={}}'), ev('return {set={}}'),
  ]},
  {name: 'maps and sets with several members (compared without order)', steps: [
    {unordered: ev("redis.setresp(3); return {map={a=1,b='two',c={3}}}")}, {unordered: ev("return {set={a=true,b=true,c=true}}")},
  ]},
]

const RESP_TO_LUA: Case[] = [
  {name: 'a status reply is a table with ok', steps: [ev("local r = redis.call('set','k','v'); return {type(r), r.ok}"), ev("return redis.call('set','k','v')"), ev("return redis.call('ping')")]},
  {name: 'an error reply through pcall is a table with err', steps: [
    ['SET', 's', 'v'], ev("local r = redis.pcall('incr','s'); return {type(r), r.err}"), ev("return redis.pcall('incr','s')"), ev("local r = redis.pcall('lpush','s','x'); return r.err"),
  ]},
  {name: 'a nil bulk is false, in RESP2 and with setresp(3) nil', steps: [
    ev("local r = redis.call('get','nokey'); return type(r)..':'..tostring(r)"), ev("return redis.call('get','nokey')"),
    ev("redis.setresp(3); local r = redis.call('get','nokey'); return {type(r), tostring(r)}"), ev("redis.setresp(3); return redis.call('get','nokey')"),
    ev("return redis.call('lpop','nokey')"), ev("return {redis.call('mget','a','b')}"),
  ]},
  {name: 'integers and bulk strings', steps: [
    ev("local r = redis.call('incr','n'); return {type(r), r}"), ev("redis.call('set','b','bulk'); local r = redis.call('get','b'); return {type(r), r}"), ev("return redis.call('strlen','b') + 1"),
  ]},
  {name: 'arrays, empty arrays and arrays with nils', steps: [
    ev("redis.call('rpush','l','a','b'); local r = redis.call('lrange','l',0,-1); return {type(r), #r, r[1], r[2]}"),
    ev("local r = redis.call('lrange','nol',0,-1); return {type(r), #r}"),
    ev("redis.call('set','a','1'); local r = redis.call('mget','a','x','a'); return {#r, r[1], tostring(r[2]), r[3]}"),
    ev("redis.call('set','a','1'); return redis.call('mget','a','x','a')"),
  ]},
  {name: 'RESP3 map, set and double with setresp(3)', steps: [
    ['HSET', 'h', 'f', '1', 'g', '2'], ['ZADD', 'z', '1.5', 'a'], ['SADD', 'st', 'x'],
    ev("redis.setresp(3); local r = redis.call('hgetall','h'); return {type(r), type(r.map), r.map.f, r.map.g}"),
    ev("redis.setresp(3); local r = redis.call('smembers','st'); return {type(r), type(r.set), tostring(r.set.x)}"),
    ev("redis.setresp(3); local r = redis.call('zscore','z','a'); return {type(r), type(r.double), tostring(r.double)}"),
    ev("redis.setresp(3); return redis.call('zscore','z','a')"), ev("redis.setresp(2); return redis.call('zscore','z','a')"),
    ev("redis.setresp(3); return redis.call('smembers','st')"), ev("redis.setresp(3); return redis.call('hgetall','nohash')"),
    ev("redis.setresp(3); return redis.call('zrange','z',0,-1,'withscores')"), ev("return redis.call('zrange','z',0,-1,'withscores')"),
    {unordered: ev("redis.setresp(3); return redis.call('hgetall','h')")}, {unordered: ev("return redis.call('hgetall','h')")},
  ]},
  {name: 'RESP3 verbatim string with setresp(3) (MEMORY DOCTOR on an empty instance)', steps: [
    ev("redis.setresp(3); local r = redis.call('memory','doctor'); return {type(r), type(r.verbatim_string), r.verbatim_string.format, r.verbatim_string.string}"),
    ev("redis.setresp(3); return redis.call('memory','doctor')"), ev("return redis.call('memory','doctor')"),
  ]},
  {name: 'KEYS and ARGV', steps: [
    ['EVAL', "return #KEYS .. ' ' .. #ARGV .. ' ' .. KEYS[1] .. ' ' .. ARGV[1] .. ' ' .. ARGV[2]", '1', 'k1', 'a1', 'a2'],
    ['EVAL', 'return {KEYS, ARGV}', '2', 'k1', 'k2', 'a1'], ev('return {KEYS[1], ARGV[1]}'), ev('return ARGV', 'x', '', '\u0000z'),
    ['EVAL', 'return {type(KEYS), type(ARGV), type(KEYS[1])}', '1', '42'],
  ]},
]

const NUMBERS: Case[] = [
  {name: 'numbers passed to redis.call are formatted with %.17g', steps: [
    ev("return redis.call('set','k',0.1)"), ['GET', 'k'], ev("redis.call('set','k',100000*100000); return redis.call('get','k')"),
    ev("redis.call('set','k',1/3); return redis.call('get','k')"), ev("redis.call('set','k',-0.5e-300); return redis.call('get','k')"),
    ev("redis.call('set','k',2^53+1); return redis.call('get','k')"), ev("redis.call('set','k',1e100); return redis.call('get','k')"),
    ev("redis.call('set','k',-0); return redis.call('get','k')"), ev("redis.call('set','k',3); return redis.call('get','k')"), ev("return redis.call('incrby','n',2.0)"),
    ev("return redis.pcall('incrby','n',2.5)"),
  ]},
  {name: 'tostring and concatenation use %.14g', steps: [
    ev('return tostring(10/2)'), ev('return tostring(1/3)'), ev('return tostring(1e15)'), ev('return tostring(1e16)'), ev('return tostring(2^63)'),
    ev('return tostring(0/0)'), ev('return tostring(1/0)'), ev('return tostring(-0)'), ev("return 10/3 .. ''"), ev("return 2^0.5 .. ''"), ev('return tostring(math.pi)'),
  ]},
  {name: 'Lua 5.1 arithmetic and conversions', steps: [
    ev("return tonumber('0x10')"), ev("return tonumber('  12  ')"), ev("return tonumber('1e2')"), ev("return tostring(tonumber('z'))"), ev('return math.floor(-3.5)'),
    ev('return 7 % -3'), ev('return -7 % 3'), ev('return math.fmod(7, 3)'), ev('return math.max(1, 5, 3)'), ev("return '10' + 5"), ev("return string.format('%d %5.2f %s %q', 3, 3.14159, 'x', 'a\\nb')"),
    ev("return string.format('%5s|%-5s|%05d|%x|%g|%e', 'a', 'b', 42, 255, 0.0001, 12345.678)"), ev("return string.format('%.3f', 1/3)"),
  ]},
]

const ERRORS: Case[] = [
  {name: 'compile errors', steps: [ev('return ('), ev('x = '), ev('return 1 +'), ev("return 'unfinished"), ev('end'), ev('local 1 = 2'), ev('return ((((')]},
  {name: 'runtime errors name the script sha and line', steps: [
    ev("error('boom')"), ev("error('boom', 0)"), ev("error({err='MYERR custom'})"), ev('error()'), ev('error(42)'), ev('local t = nil; return t.x'), ev('return 1 + {}'),
    ev("\n\nerror('line3')"), ev("error(redis.error_reply('MY raised'))"), ev("return #nil"), ev("return ('x')()"), ev("assert(false, 'assertion')"), ev('assert(false)'),
  ]},
  {name: 'redis.call of unknown commands, wrong arity, no arguments, non-string arguments', steps: [
    ev("return redis.call('nosuchcmd')"), ev("return redis.pcall('nosuchcmd')"), ev("return redis.call('object','bogus')"), ev("return redis.call('get')"), ev("return redis.pcall('get')"),
    ev("return redis.call('SET','k')"), ev('return redis.call()'), ev('return redis.pcall()'), ev("return redis.call('get', {})"), ev("return redis.pcall('get', {})"),
    ev("return redis.call('get', nil)"), ev("return redis.call('get', true)"), ev('return redis.call({})'), ev("return redis.call('SeT','k','v')"), ev("return redis.call('set','k','v','bogus')"),
    ev("return redis.pcall('set','k','v','bogus')"),
  ]},
  {name: 'commands not allowed from scripts', steps: [
    ev("return redis.call('multi')"), ev("return redis.call('exec')"), ev("return redis.call('eval','return 1','0')"), ev("return redis.pcall('eval','return 1','0')"),
    ev("return redis.call('subscribe','c')"), ev("return redis.call('watch','c')"), ev("return redis.call('save')"), ev("return redis.call('script','load','return 1')"),
    ev("return redis.call('function','list')"), ev("return redis.call('auth','x')"), ev("return redis.call('hello')"), ev("return redis.call('config','get','port')"),
    ev("return redis.call('client','list')"), ev("return redis.call('monitor')"), ev("return redis.call('debug','digest')"), ev("return redis.call('wait','0','0')"),
    ev("return redis.call('replicaof','no','one')"), ev("return redis.call('shutdown')"), ev("return redis.pcall('fcall','f','0')"),
  ]},
  {name: 'blocking commands are not allowed from scripts (7.0), with or without data', steps: [
    ev("return redis.call('blpop','nolist',0)"), ev("return redis.call('brpoplpush','nolist','x',0)"), ev("return redis.call('blmove','nolist','x','left','left',0)"),
    ev("return redis.call('bzpopmin','noz',0)"), ['RPUSH', 'l', 'a'], ev("return redis.call('blpop','l',0)"), ev("return redis.pcall('blpop','l',0)"), ['LLEN', 'l'],
  ]},
  {name: 'WRONGTYPE and other command errors, raised or caught', steps: [
    ['SET', 's', 'v'], ['RPUSH', 'l', 'a'], ev("return redis.call('incr','l')"), ev("return redis.call('lpush','s','x')"), ev("return redis.pcall('lpush','s','x')"),
    ev("local r = redis.pcall('lpush','s','x'); return r"), ev("redis.call('incr','s')"), ev("return redis.pcall('incr','s')"),
    ev("local ok, e = pcall(function() return redis.call('incr','s') end); return {tostring(ok), type(e)}"), ev("local ok, e = pcall(redis.call, 'incr','s'); return e"),
    ev("local ok, e = pcall(error, 'x'); return e"), ev("local ok, e = pcall(function() error({err='E1 inner'}) end); return e"),
    ev("redis.pcall('incr','s'); return 'went on'"), ev("redis.call('set','w','1'); redis.call('incr','s')"), ['GET', 'w'],
    ev("return redis.call('select', 99)"), ev("return redis.pcall('select', 99)"),
  ]},
  {name: 'error_reply and pcall combinations', steps: [
    ev("local r = redis.pcall('nosuch'); return r.err"), ev("return redis.error_reply(redis.pcall('nosuch').err)"), ev("return {redis.pcall('nosuch')}"),
    ev("local ok, e = pcall(function() error(redis.error_reply('X y')) end); return e"), ev("local ok, e = pcall(function() error(redis.error_reply('X y')) end); return e.err"),
    ev("return redis.error_reply()"), ev("return redis.error_reply(1)"), ev("return redis.status_reply()"), ev("return redis.error_reply({})"),
  ]},
  {name: 'EVAL and EVALSHA argument errors, NOSCRIPT', steps: [
    ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '0'], ['EVALSHA', 'fff', '0'], ['EVALSHA', '', '0'], ['EVAL', 'return 1', '-1'], ['EVAL', 'return 1', '2', 'a'],
    ['EVAL', 'return 1', 'x'], ['EVAL', 'return 1'], ['EVAL', 'return 1', '1'], ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '-1'], ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '5'],
    ['EVALSHA_RO', 'ffffffffffffffffffffffffffffffffffffffff', '0'], ['EVAL_RO', 'return 1', '-1'], ['EVAL', 'return 1', '1.5', 'k'], ['EVAL', 'return 1', '99999999999999999999'],
    ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff'],
  ]},
  {name: 'EVAL_RO and the no-writes shebang flag refuse writes', steps: [
    ['EVAL_RO', "return redis.call('set','k','v')", '0'], ['EVAL_RO', "return redis.pcall('set','k','v')", '0'], ['EVAL_RO', "return redis.call('get','k')", '0'],
    ev("#!lua flags=no-writes\nreturn redis.call('set','k','v')"), ev("#!lua flags=no-writes\nreturn redis.pcall('del','k')"), ['EVAL', "#!lua flags=no-writes\nreturn redis.call('get',KEYS[1])", '1', 'k'],
    ['EVAL_RO', "#!lua flags=no-writes\nreturn redis.call('get','k')", '0'], ['EVAL_RO', "#!lua\nreturn 1", '0'], ['SCRIPT', 'LOAD', "return redis.call('set','ro','v')"],
    ['EVALSHA_RO', sha1("return redis.call('set','ro','v')"), '0'], ['EVALSHA', sha1("return redis.call('set','ro','v')"), '0'], ['GET', 'k'], ['GET', 'ro'],
  ]},
  {name: 'shebangs: flags, unknown flags, unknown engines, name= refused in EVAL', steps: [
    ev('#!lua flags=no-writes,allow-oom\nreturn 1'), ev('#!lua flags=bogus\nreturn 1'), ev('#!lua name=foo\nreturn 1'), ev('#!lua\nreturn 1'), ev('#!lua \nreturn 1'),
    ev('#!luax\nreturn 1'), ev('#!python\nreturn 1'), ev('#!lua flags=\nreturn 1'), ev('#!lua flags=no-cluster\nreturn 1'), ev('#!lua flags=allow-cross-slot-keys,allow-stale\nreturn 1'),
    ev("#!lua\nreturn redis.call('get',KEYS[1])"), ev('#!lua\nerror("second line")'), ev('#!lua flags=no-writes,bogus\nreturn 1'), ev('#!lua'), ev('#! lua\nreturn 1'),
    ['SCRIPT', 'LOAD', '#!lua flags=bogus\nreturn 1'],
  ]},
]

const SANDBOX: Case[] = [
  {name: 'globals are read-only and unknown globals are errors', steps: [
    ev('x = 1'), ev('return x'), ev('return undefined_global'), ev('redis = nil'), ev('_G.x = 1'), ev("rawset(_G, 'x', 1)"), ev('local x = 1; return x'),
    ev('function f() return 1 end'), ev('local function f() return 2 end; return f()'), ev('redis.call = nil'), ev('string.x = 1; return 1'), ev("cjson.encode = nil; return 1"),
  ]},
  {name: 'loadfile, dofile, os, io, print, require, setfenv, debug are absent', steps: [
    ev('return type(loadfile)'), ev('return type(dofile)'), ev('return type(os)'), ev('return type(io)'), ev('return type(print)'), ev('return type(require)'),
    ev('return type(setfenv)'), ev('return type(getfenv)'), ev('return type(debug)'), ev('return type(package)'), ev('return type(module)'), ev('return type(newproxy)'),
    ev('return type(os.time)'),
  ]},
  {name: 'what is present: loadstring, load, unpack, gcinfo, the libraries', steps: [
    ev('return type(loadstring)'), ev('return type(load)'), ev('return type(unpack)'), ev('return type(gcinfo)'), ev('return type(collectgarbage)'), ev('return type(string.dump)'),
    ev('return {type(cjson), type(cmsgpack), type(bit), type(struct), type(math), type(table), type(string), type(coroutine)}'), ev('return _VERSION'),
    ev("return loadstring('return 1+1')()"), ev("return tostring(loadstring('return ('))"), ev('return gcinfo() > 0'), ev("return collectgarbage('count') > 0"),
  ]},
  {name: 'the names in _G and in redis', steps: [
    ev('local t = {} for k,_ in pairs(_G) do t[#t+1]=k end table.sort(t) return t'), ev('local t = {} for k,_ in pairs(redis) do t[#t+1]=k end table.sort(t) return t'),
  ]},
  {name: 'Lua 5.1 standard library behaviour', steps: [
    ev("return string.rep('ab', 3, ',')"), ev("return table.concat({1,2,3}, '-')"), ev("return {string.byte('ABC', 1, 3)}"), ev("return string.gsub('hello world', 'o', '0')"),
    ev("return {string.find('hello', 'l+')}"), ev("return select('#', 1, 2, 3)"), ev("return #'\\0abc'"), ev('return unpack({1,2,3})'), ev('return coroutine.wrap(function() coroutine.yield(7) end)()'),
    ev('local t = {3,1,2}; table.sort(t); return t'), ev("local t = {}; table.insert(t, 'a'); table.insert(t, 1, 'b'); return t"), ev('return table.getn({1,2,3})'),
    ev('return #{1,2,3,nil,5}'), ev("return getmetatable('').__index == string"), ev("return string.format('%s', nil)"), ev("return ('x'):upper()"), ev('return math.random(5,3)'),
    ev('return math.random(0)'), ev("return string.sub('hello', -3)"), ev("return tostring(nil) .. tostring(true)"), ev('return table.maxn({1,2,nil,4})'),
  ]},
]

const LIBRARY: Case[] = [
  {name: 'redis.sha1hex', steps: [ev("return redis.sha1hex('')"), ev("return redis.sha1hex('abc')"), ev('return redis.sha1hex()'), ev('return redis.sha1hex(123)'), ev('return redis.sha1hex({})'), ev("return redis.sha1hex('a', 'b')")]},
  {name: 'REDIS_VERSION and REDIS_VERSION_NUM live in redis, not in _G', steps: [ev('return redis.REDIS_VERSION'), ev('return redis.REDIS_VERSION_NUM'), ev('return {REDIS_VERSION, REDIS_VERSION_NUM}')]},
  {name: 'redis.log, redis.replicate_commands, redis.breakpoint, redis.debug', steps: [
    ev('return redis.replicate_commands()'), ev('return type(redis.log)'), ev("redis.log(redis.LOG_WARNING, 'hello from lua'); return 1"), ev("redis.log(redis.LOG_NOTICE, 'a', 'b', 3); return 1"),
    ev('redis.log(redis.LOG_WARNING); return 1'), ev("redis.log(99, 'x'); return 1"), ev("redis.log('x', 'x'); return 1"),
    ev('return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}'), ev('return redis.breakpoint()'), ev("return redis.debug('x')"),
  ]},
  {name: 'redis.set_repl and its constants', steps: [
    ev('return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}'), ev('redis.set_repl(redis.REPL_ALL); return 1'),
    ev("redis.set_repl(redis.REPL_NONE); redis.call('set','k','v'); return redis.call('get','k')"), ['GET', 'k'], ev('redis.set_repl(99); return 1'),
    ev('redis.set_repl(); return 1'), ev("redis.set_repl('x'); return 1"), ev('redis.set_repl(-1); return 1'),
  ]},
  {name: 'redis.setresp argument errors', steps: [
    ev('redis.setresp(4); return 1'), ev('redis.setresp(); return 1'), ev('redis.setresp(2,3); return 1'), ev("redis.setresp('x'); return 1"), ev("redis.setresp('3'); return 1"),
    ev('redis.setresp(1); return 1'), ev('redis.setresp(2.5); return 1'),
  ]},
  {name: 'redis.acl_check_cmd', steps: [ev("return redis.acl_check_cmd('set','k','v')"), ev("return redis.acl_check_cmd('nosuch')"), ev('return redis.acl_check_cmd()'), ev("return redis.acl_check_cmd('get')")]},
  {name: 'math.random: one sequence per server that math.randomseed restarts', steps: [
    ev('math.randomseed(42); return {math.random(1000000), math.random(100)}'), ev('return {math.random(1000000), math.random(1000000), math.random(1000000)}'),
    ev('math.randomseed(42); return {math.random(1000000), math.random(100)}'), ev('return tostring(math.random())'), ev('math.randomseed(7); return math.random(10, 20)'),
    ev('return math.random(1000000)'),
  ]},
  {name: 'cjson', steps: [
    ev("return cjson.encode({1,2,3,'x'})"), ev('return cjson.encode({a=1})'), ev('return cjson.encode({a={b={1.5,true,false}}})'), ev('return cjson.encode(cjson.null)'),
    ev("return cjson.encode('a\"b\\n\\1')"), ev('return cjson.encode(0.1)'), ev('return cjson.encode(1e100)'), ev('return cjson.encode(123456789012)'), ev('return cjson.encode({})'),
    ev('return cjson.encode(1/0)'), ev('return cjson.encode({[1]=1,[3]=3})'), ev('return cjson.encode({[1]=1,[30]=3})'), ev('return cjson.encode(function() end)'),
    ev("local t = cjson.decode('{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}'); return {t.a[1], t.a[2], t.c, type(t.a[3].b), tostring(t.a[3].b == cjson.null)}"),
    ev("return cjson.decode('[1,2')"), ev("return cjson.decode('1.5e3')"), ev("return tostring(cjson.decode('0.1'))"), ev("return cjson.decode('\"\\\\u00e9\"')"),
    ev("return type(cjson.decode('{}'))"), ev("return cjson.decode(ARGV[1]).name", '{"name":"bob","tags":["a"]}'), ev("return cjson.decode('{\"n\":12345678901234}').n"),
    {unordered: ev("return cjson.decode(cjson.encode({a=1,b=2,c=3})).b")},
  ]},
  {name: 'cmsgpack', steps: [
    ev("return cmsgpack.pack(1, 'a', {1,2}, {x=1}, true, 1.5, -1, 300, 70000, 2^40)"), ev("return {cmsgpack.unpack(cmsgpack.pack(1,'a',{1,2}))}"),
    ev('local t = cmsgpack.unpack(ARGV[1]); return {t.name, t.n}', bytes('\u0082\u00a4name\u00a3bob\u00a1n\u0005')), ev('return cmsgpack.pack(ARGV[1])', 'abcdefghijklmnopqrstuvwxyz0123456789'),
    ev("return cmsgpack.pack(string.rep('x', 300))"), ev('return cmsgpack.pack({1,2,nil,4})'), ev('return cmsgpack.pack(0.1)'), ev("return cmsgpack.unpack('')"),
    ev("return cmsgpack.unpack('\\193')"), ev('return cmsgpack.unpack_one(cmsgpack.pack(1,2), 0)'), ev('return {cmsgpack.unpack_limit(cmsgpack.pack(1,2,3), 2)}'),
    ev('return cmsgpack.pack(-40000, -200, 2^32, -2^33, 3.5e38)'), ev('return cmsgpack.pack(nil)'), ev('return cmsgpack.pack()'),
  ]},
  {name: 'bit and struct', steps: [
    ev('return {bit.band(0xff, 0x0f), bit.bor(1,2), bit.bxor(3,1), bit.lshift(1,4), bit.rshift(-1, 28), bit.arshift(-16, 2), bit.bnot(0), bit.tobit(2^32+5), bit.tohex(255), bit.tohex(-1, 4), bit.rol(1, 33), bit.ror(1,1), bit.bswap(0x12345678)}'),
    ev('return bit.tohex(65535, -8)'), ev("return struct.pack('>I2', 258)"), ev("return {struct.unpack('<i4', struct.pack('<i4', -2))}"), ev("return struct.size('>iHb')"),
    ev("return struct.pack('bBhHlLfdc0s', 1, 2, 3, 4, 5, 6, 1.5, 2.5, 'xyz', 'str')"), ev("return struct.pack('z', 'abc')"), ev("return struct.pack('x')"), ev("return struct.pack('Q', 1)"),
    ev("return {struct.unpack('>HB', '\\1\\2\\3')}"), ev("return {struct.unpack('>I4', 'ab')}"),
  ]},
]

const CACHE: Case[] = [
  {name: 'SCRIPT LOAD, EXISTS, EVALSHA in either case', steps: [
    ['SCRIPT', 'LOAD', "return 'loaded'"], ['SCRIPT', 'EXISTS', 'b534286061d4b9e4026607613b95c06c06015ae8', 'B534286061D4B9E4026607613B95C06C06015AE8', 'ffffffffffffffffffffffffffffffffffffffff'],
    ['EVALSHA', 'b534286061d4b9e4026607613b95c06c06015ae8', '0'], ['EVALSHA', 'B534286061D4B9E4026607613B95C06C06015AE8', '0'], ['EVALSHA_RO', 'B534286061d4b9e4026607613b95c06c06015ae8', '0'],
    ev("return redis.sha1hex(\"return 'loaded'\")"), ['SCRIPT', 'LOAD', 'return ('], ['SCRIPT', 'EXISTS'], ['SCRIPT', 'LOAD'], ['SCRIPT', 'LOAD', 'a', 'b'],
    ['SCRIPT', 'LOAD', "return 'loaded'"],
  ]},
  {name: 'EVAL caches the script for EVALSHA, a failed compile does not', steps: [
    ['SCRIPT', 'EXISTS', sha1("return 'evaled'")], ev("return 'evaled'"), ['SCRIPT', 'EXISTS', sha1("return 'evaled'")], ['EVALSHA', sha1("return 'evaled'"), '0'],
    ['SCRIPT', 'EXISTS', sha1('return (')],
    ev("return redis.sha1hex(\"return 'evaled'\")"), ev('return ('), ['EVAL', "return redis.call('set',KEYS[1],ARGV[1])", '1', 'k', 'v'], ['GET', 'k'],
  ]},
  {name: 'SCRIPT FLUSH [ASYNC|SYNC] empties the cache', steps: [
    ['SCRIPT', 'LOAD', 'return 1'], ['SCRIPT', 'FLUSH', 'ASYNC'], ['EVALSHA', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0'], ['SCRIPT', 'LOAD', 'return 1'],
    ['SCRIPT', 'FLUSH', 'SYNC'], ['SCRIPT', 'EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db'], ['SCRIPT', 'FLUSH', 'BOGUS'], ['SCRIPT', 'FLUSH', 'SYNC', 'ASYNC'], ['SCRIPT', 'FLUSH', 'sync'],
    ['FLUSHALL'], ['SCRIPT', 'LOAD', 'return 1'], ['FLUSHALL'], ['SCRIPT', 'EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db'],
  ]},
  {name: 'SCRIPT KILL with nothing running, HELP, DEBUG, unknown subcommands', steps: [
    ['SCRIPT', 'KILL'], ['SCRIPT', 'KILL', 'x'], ['SCRIPT', 'BOGUS'], ['SCRIPT'], ['SCRIPT', 'HELP'], ['SCRIPT', 'help', 'x'], ['SCRIPT', 'DEBUG', 'NO'], ['SCRIPT', 'DEBUG', 'BAD'],
    ['FUNCTION', 'KILL'],
  ]},
  {name: 'COMMAND INFO and COMMAND GETKEYS for the script commands', resp: [2], steps: [
    ['COMMAND', 'INFO', 'eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro'], ['COMMAND', 'INFO', 'script|load', 'script|kill', 'function|load', 'function|stats'],
    {unordered: ['COMMAND', 'INFO', 'script', 'function'], records: true},
    ['COMMAND', 'GETKEYS', 'EVAL', 'return 1', '2', 'k1', 'k2', 'a'], ['COMMAND', 'GETKEYS', 'EVAL', 'return 1', '0'], ['COMMAND', 'GETKEYS', 'FCALL', 'f', '1', 'k', 'a'],
    ['COMMAND', 'GETKEYS', 'EVALSHA_RO', 'abc', '1', 'k'], ['COMMAND', 'GETKEYS', 'EVALSHA', 'abc', '3', 'k1', 'k2', 'k3'], ['COMMAND', 'GETKEYS', 'EVAL', 'return 1', '5', 'k'],
    ['COMMAND', 'GETKEYS', 'EVAL', 'return 1', '-1', 'k'], ['COMMAND', 'GETKEYS', 'SCRIPT', 'LOAD', 'x'], ['COMMAND', 'GETKEYS', 'FCALL_RO', 'f', '2', 'a', 'b'],
    ['COMMAND', 'GETKEYS', 'EVAL_RO', 'return 1', '1', 'only'],
  ]},
]

const TRANSACTIONS: Case[] = [
  {name: 'EVAL, EVALSHA and SCRIPT LOAD inside MULTI', steps: [
    ['MULTI'], ev("return redis.call('incr','n')"), ev("return redis.call('incr','n')"), ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '0'], ev("error('in exec')"), ['EXEC'],
    ['MULTI'], ['SCRIPT', 'LOAD', 'return 1'], ['EVALSHA', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0'], ['EXEC'], ['MULTI'], ['EVAL', 'return 1', '-1'], ['EXEC'],
    ['MULTI'], ['EVAL', 'return 1'], ['EXEC'],
  ]},
  {name: 'a WATCHed key written by a script aborts EXEC', steps: [
    ['SET', 'w', '1'], ['WATCH', 'w'], ev("return redis.call('set','w','2')"), ['MULTI'], ['GET', 'w'], ['EXEC'],
  ]},
  {name: "redis.call('select') inside a script does not change the caller's db", steps: [
    ev("redis.call('select', 1); redis.call('set','in1','v'); return redis.call('get','in1')"), ['GET', 'in1'], ['SELECT', '1'], ['GET', 'in1'],
    ev("return redis.call('get','in1')"), ev("redis.call('select', 0); return redis.call('get','in1')"), ['GET', 'in1'], ['SELECT', '0'],
    ev("redis.call('select', 2); return redis.call('dbsize')"), ['DBSIZE'],
  ]},
  {name: 'keys expire by the time the script started: a 20 ms key set inside a 60 ms script still exists at its end', steps: [
    ev("redis.call('set','px','v','px','20'); local s = redis.call('time'); local st = s[1]*1000000+s[2]; repeat local n = redis.call('time') until (n[1]*1000000+n[2]) - st > 60000; return {redis.call('exists','px'), redis.call('get','px')}"),
    ['EXISTS', 'px'],
  ]},
  {name: 'commands a script may call: TIME, INFO, RANDOMKEY, SPOP, KEYS, OBJECT, FLUSHALL', steps: [
    ev("return #redis.call('time')"), ev("return type(redis.call('info','server'))"), ev("return redis.call('randomkey')"), ev("return redis.call('spop','noset')"),
    ['RPUSH', 'l', 'a'], ev("return redis.call('keys','*')"), ev("return redis.call('object','encoding','l')"), ev("return redis.call('flushall')"), ['DBSIZE'],
    ev("return redis.call('echo','x')"), ev("return redis.call('type','nokey')"), ev("return redis.call('exists','l')"),
  ]},
]

/** Last: these push the Lua VM to its limits (stack depth, unpack size), so a crash cannot hide other results. */
const LUA_51: Case[] = [
  {name: 'Lua 5.2/5.3 syntax is refused, 5.1-only functions exist, later ones do not', steps: [
    ev('return 5 // 2'), ev('return 1 & 2'), ev('goto x'), ev('return math.pow(2, 10)'), ev('return math.log10(1000)'), ev('return math.mod(7, 3)'),
    ev('return string.gfind ~= nil'), ev('return table.unpack ~= nil'), ev('return utf8 ~= nil'), ev('return rawlen ~= nil'), ev('return #arg'),
  ]},
  {name: 'string and table library details', steps: [
    ev("return string.format('%99d', 1)"), ev("return string.format('%100d', 1)"), ev("return tostring({}):sub(1,7)"), ev("return string.format('%5.1s|', 'abc')"),
    ev("return ('%d'):format(3.7)"), ev("return string.format('%d', 2^31)"), ev("return string.format('%d', 2^63)"), ev("return string.format('%x', -1)"),
    ev("return string.format('%q', '\\0\\r\\n\\t\"\\\\')"), ev("return string.gsub('abc', '', '-')"), ev("return (string.gsub('hello', 'l', {l='L'}))"),
    ev("return string.gsub('abc', '%w', '%0%0')"), ev("return {('a,b,,c'):find(',', 1, true)}"), ev("return ('hello world'):match('^(%w+)')"), ev("return string.byte('')"),
    ev("return table.concat({1, {}, 3}, ',')"), ev('local t = {5,2,8,1}; table.sort(t, function(a,b) return a > b end); return t'), ev('local t = {1,2,3}; table.remove(t, 1); return t'),
    ev('return next({})'), ev("return #select(2, 'a', 'bb', 'ccc')"), ev('return select(-1, 1, 2, 3)'), ev('return {pcall(nil)}'),
    ev("return {xpcall(function() error('x') end, function(e) return 'handled: ' .. e end)}"),
  ]},
  {name: 'tonumber and number edge cases', steps: [
    ev("return tonumber('0x')"), ev("return tonumber('1e')"), ev("return tonumber(' 0x1p4 ')"), ev("return tonumber('inf')"), ev("return tonumber('nan')"), ev("return tonumber('10', 2)"),
    ev("return tonumber('zz', 36)"), ev('return tostring(1e308 * 10)'), ev('return 0.1 + 0.2 == 0.3'), ev('return tostring(0.1 + 0.2)'), ev('return math.floor(2^31 + 0.5)'),
  ]},
  {name: 'limits: unpack of 7000 and of 10000 values, deep recursion, a 1 MB string, a 10000-element reply', resp: [2], steps: [
    ev('local t = {} for i=1,7000 do t[i]=i end return #{unpack(t)}'), ev('local t = {} for i=1,10000 do t[i]=i end return #{unpack(t)}'),
    ev("local t = {} for i=1,7000 do t[i]=i end return redis.call('rpush','biglist', unpack(t))"), ['LLEN', 'biglist'],
    ev('local function f(n) if n == 0 then return 0 end return 1 + f(n-1) end return f(10000)'), ev('local function f(n) return f(n+1)+1 end return f(1)'),
    ev("return string.rep('x', 1000000):len()"), ev("return string.rep('ab', 300000)"), ev('local t = {} for i=1,10000 do t[i]=i end return t'),
    ev('local t = {} local c = t for i=1,1000 do c[1] = {} c = c[1] end return 1'), ev('return 1'),
  ]},
]

describe.skipIf(!!skip)(`Lua scripting matches Redis 7.0${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pair: DifferentialPair
  beforeAll(async () => {
    pair = await startScriptingPair()
  })
  afterAll(async () => {
    await pair?.stop()
  })

  describeCases(() => pair, {
    'Lua values to RESP': LUA_TO_RESP,
    'RESP replies to Lua values': RESP_TO_LUA,
    'number formatting': NUMBERS,
    'error texts': ERRORS,
    sandbox: SANDBOX,
    'the redis library and the bundled Lua libraries': LIBRARY,
    'the script cache and the script commands': CACHE,
    'scripts and transactions': TRANSACTIONS,
  })

  it('errors from scripts count in INFO errorstats and commandstats as in Redis', async () => {
    await pair.reset()
    await pair.expectSame('SCRIPT', 'FLUSH')
    await pair.expectSame('FUNCTION', 'FLUSH')
    await pair.expectSame('SET', 's', 'v')
    await pair.expectSame('CONFIG', 'RESETSTAT')
    for (const command of [
      ev("return redis.call('nosuch')"), ev("return redis.pcall('incr','s')"), ev("return redis.call('incr','s')"), ev("return redis.call('lpush','s','x')"),
      ev("return redis.error_reply('MY custom')"), ev("error('boom')"), ev('return ('), ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '0'],
      ['EVAL_RO', "return redis.call('set','k','v')", '0'], ['FCALL', 'nosuch', '0'], ev("return redis.call('get','s')"),
    ]) await pair.expectSame(...command)
    await pair.expectSame('INFO', 'errorstats')
    // Commandstats list commands in dict order and carry times: compare the sorted lines without usec fields.
    const stats = async (c: RawClient): Promise<string[]> => (await c.command('INFO', 'commandstats')).toString('latin1').split('\r\n')
      .filter((l) => l.startsWith('cmdstat_') && !l.startsWith('cmdstat_info:')).map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+,/, '')).sort()
    const [real, ours] = [await stats(pair.realClient), await stats(pair.ourClient)]
    expect(ours).toEqual(real)
    expect(real).toContain('cmdstat_set:calls=0,rejected_calls=1,failed_calls=0')
  })

  it('MONITOR shows a script and, as "[db lua]", the commands it called', async () => {
    await pair.reset()
    await pair.expectSame('SCRIPT', 'FLUSH')
    await pair.expectSame('FUNCTION', 'FLUSH')
    const [realMonitor, ourMonitor] = [await pair.real.raw(), await pair.ours.raw()]
    try {
      for (const m of [realMonitor, ourMonitor]) expect((await m.command('MONITOR')).toString()).toBe('+OK\r\n')
      await pair.expectSame('EVAL', "redis.call('set','k','v'); return redis.call('get','k')", '1', 'k')
      await pair.expectSame('EVAL', "redis.pcall('nosuch'); redis.call('select','2'); return redis.call('incr','n')", '0')
      await pair.expectSame('SCRIPT', 'LOAD', 'return 1')
      await pair.expectSame('EVALSHA', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0')
      await pair.expectSame('FUNCTION', 'LOAD', "#!lua name=m\nredis.register_function('mf', function(k) return redis.call('exists', k[1]) end)")
      await pair.expectSame('FCALL', 'mf', '1', 'k')
      await pair.expectSame('EVAL', 'return 1', '-1')
      await pair.expectSame('EVAL', "return redis.call('get')", '0')
      await pair.expectSame('ECHO', 'end of the scripts')
      // Timestamps and the client's address differ; the db, the "lua" marker and the arguments must not.
      const lines = async (m: RawClient): Promise<string[]> => {
        const out: string[] = []
        while (!out.at(-1)?.includes('end of the scripts')) {
          out.push((await m.reply()).toString('latin1').replace(/^\+\d+\.\d{6} \[(\d+) \d+\.\d+\.\d+\.\d+:\d+\]/, '+<time> [$1 <client>]').replace(/^\+\d+\.\d{6} \[(\d+) lua\]/, '+<time> [$1 lua]'))
        }
        return out
      }
      const [real, ours] = [await lines(realMonitor), await lines(ourMonitor)]
      expect(ours).toEqual(real)
      expect(real).toContain('+<time> [2 lua] "incr" "n"\r\n')
    } finally {
      realMonitor.close()
      ourMonitor.close()
    }
  })

  describeCases(() => pair, {'the Lua 5.1 language, its library and its limits': LUA_51})
})
