// Roberto Ierusalimschy's struct library as Redis ships it (deps/lua/src/lua_struct.c): struct.pack,
// struct.unpack and struct.size with formats > < ! x b B h H l L T i[n] I[n] f d s c[n], on an x86-64
// layout (short 2, long and size_t 8, int 4, maximum alignment 8, native little endian).

import {lauxlib, lua, newLibrary, type LuaState} from './lua-api.js'

const MAXINTSIZE = 32
const MAXALIGN = 8

interface Header {
  little: boolean
  align: number
}

/** The format being read, with getnum/optsize/controloptions over it. */
class Format {
  i = 0
  constructor(readonly L: LuaState, readonly fmt: Uint8Array) {}

  get done(): boolean {
    return this.i >= this.fmt.length || this.fmt[this.i] === 0
  }

  nextOption(): number {
    return this.fmt[this.i++] as number
  }

  private isDigit(): boolean {
    const c = this.fmt[this.i]
    return c !== undefined && c >= 48 && c <= 57
  }

  getnum(df: number): number {
    if (!this.isDigit()) return df
    let a = 0
    do {
      const d = (this.fmt[this.i] as number) - 48
      if (a > Math.floor(2147483647 / 10) || a * 10 > 2147483647 - d) lauxlib.luaL_error(this.L, 'integral size overflow')
      a = a * 10 + d
      this.i++
    } while (this.isDigit())
    return a
  }

  optsize(opt: string): number {
    switch (opt) {
      case 'B': case 'b': return 1
      case 'H': case 'h': return 2
      case 'L': case 'l': case 'T': return 8
      case 'f': return 4
      case 'd': return 8
      case 'x': return 1
      case 'c': return this.getnum(1)
      case 'i': case 'I': {
        const size = this.getnum(4)
        if (size > MAXINTSIZE) lauxlib.luaL_error(this.L, `integral size ${size} is larger than limit of ${MAXINTSIZE}`)
        return size
      }
      default: return 0
    }
  }

  controloptions(opt: string, h: Header): void {
    switch (opt) {
      case ' ': return
      case '>': h.little = false; return
      case '<': h.little = true; return
      case '!': {
        const a = this.getnum(MAXALIGN)
        if (a === 0 || (a & (a - 1)) !== 0) lauxlib.luaL_error(this.L, `alignment ${a} is not a power of 2`)
        h.align = a
        return
      }
      default:
        lauxlib.luaL_argerror(this.L, 1, `invalid format option '${opt}'`)
    }
  }
}

function toAlign(len: number, h: Header, opt: string, size: number): number {
  if (size === 0 || opt === 'c') return 0
  if (size > h.align) size = h.align
  return (size - (len & (size - 1))) & (size - 1)
}

function integerBytes(n: number, size: number, little: boolean): number[] {
  let value = Number.isFinite(n) ? BigInt.asUintN(64, BigInt(Math.trunc(n))) : 0n
  const out = new Array<number>(size).fill(0)
  for (let k = 0; k < size; k++) {
    out[little ? k : size - 1 - k] = Number(value & 0xffn)
    value >>= 8n
  }
  return out
}

function floatBytes(n: number, size: number, little: boolean): number[] {
  const view = new DataView(new ArrayBuffer(size))
  if (size === 4) view.setFloat32(0, n, little)
  else view.setFloat64(0, n, little)
  return [...new Uint8Array(view.buffer)]
}

function pack(L: LuaState): number {
  const format = new Format(L, lauxlib.luaL_checkstring(L, 1))
  lua.lua_pushnil(L) // b_pack's separator: a missing argument is reported as nil
  const h: Header = {little: true, align: 1}
  let arg = 2
  const out: number[] = []
  while (!format.done) {
    const opt = String.fromCharCode(format.nextOption())
    let size = format.optsize(opt)
    for (let pad = toAlign(out.length, h, opt, size); pad > 0; pad--) out.push(0)
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
        out.push(...integerBytes(lauxlib.luaL_checknumber(L, arg++), size, h.little))
        break
      case 'x':
        out.push(0)
        break
      case 'f': case 'd':
        out.push(...floatBytes(lauxlib.luaL_checknumber(L, arg++), size, h.little))
        break
      case 'c': case 's': {
        const s = lauxlib.luaL_checkstring(L, arg++)
        if (size === 0) size = s.length
        lauxlib.luaL_argcheck(L, s.length >= size, arg, 'string too short')
        for (let k = 0; k < size; k++) out.push(s[k] as number)
        if (opt === 's') out.push(0)
        break
      }
      default:
        format.controloptions(opt, h)
    }
  }
  lua.lua_pushstring(L, Uint8Array.from(out))
  return 1
}

function readInteger(data: Uint8Array, pos: number, little: boolean, signed: boolean, size: number): number {
  let value = 0n
  for (let k = 0; k < size; k++) value = ((value << 8n) | BigInt(data[pos + (little ? size - 1 - k : k)] as number)) & ((1n << 64n) - 1n)
  if (!signed || size === 0) return Number(value)
  const bits = BigInt(Math.min(size * 8, 64))
  return Number(BigInt.asIntN(Number(bits), value))
}

function unpack(L: LuaState): number {
  const format = new Format(L, lauxlib.luaL_checkstring(L, 1))
  const data = lauxlib.luaL_checkstring(L, 2)
  const ld = data.length
  let pos = lua.lua_isnoneornil(L, 3) ? 1 : Math.trunc(lauxlib.luaL_checknumber(L, 3))
  lauxlib.luaL_argcheck(L, pos > 0, 3, 'offset must be 1 or greater')
  pos--
  let n = 0
  const h: Header = {little: true, align: 1}
  while (!format.done) {
    const opt = String.fromCharCode(format.nextOption())
    let size = format.optsize(opt)
    pos += toAlign(pos, h, opt, size)
    lauxlib.luaL_argcheck(L, size <= ld && pos <= ld - size, 2, 'data string too short')
    lauxlib.luaL_checkstack(L, 2, 'too many results')
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
        lua.lua_pushnumber(L, readInteger(data, pos, h.little, opt === opt.toLowerCase(), size))
        n++
        break
      case 'x':
        break
      case 'f': case 'd': {
        const view = new DataView(data.buffer, data.byteOffset + pos, size)
        lua.lua_pushnumber(L, size === 4 ? view.getFloat32(0, h.little) : view.getFloat64(0, h.little))
        n++
        break
      }
      case 'c': {
        if (size === 0) {
          if (n === 0 || !lua.lua_isnumber(L, -1)) lauxlib.luaL_error(L, "format 'c0' needs a previous size")
          size = Math.trunc(lua.lua_tonumber(L, -1))
          lua.lua_pop(L, 1)
          n--
          lauxlib.luaL_argcheck(L, size <= ld && pos <= ld - size, 2, 'data string too short')
        }
        lua.lua_pushstring(L, data.slice(pos, pos + size))
        n++
        break
      }
      case 's': {
        const end = data.indexOf(0, pos)
        if (end < 0) lauxlib.luaL_error(L, 'unfinished string in data')
        size = end - pos + 1
        lua.lua_pushstring(L, data.slice(pos, end))
        n++
        break
      }
      default:
        format.controloptions(opt, h)
    }
    pos += size
  }
  lua.lua_pushnumber(L, pos + 1)
  return n + 1
}

function size(L: LuaState): number {
  const format = new Format(L, lauxlib.luaL_checkstring(L, 1))
  const h: Header = {little: true, align: 1}
  let pos = 0
  while (!format.done) {
    const code = format.nextOption()
    const opt = String.fromCharCode(code)
    const optSize = format.optsize(opt)
    pos += toAlign(pos, h, opt, optSize)
    if (opt === 's') lauxlib.luaL_argerror(L, 1, "option 's' has no fixed size")
    else if (opt === 'c' && optSize === 0) lauxlib.luaL_argerror(L, 1, "option 'c0' has no fixed size")
    if (!/[0-9a-zA-Z]/.test(opt)) format.controloptions(opt, h)
    pos += optSize
  }
  lua.lua_pushnumber(L, pos)
  return 1
}

/** luaopen_struct: leaves the struct table on the stack. */
export function openStruct(L: LuaState): void {
  newLibrary(L, {pack, unpack, size})
}
