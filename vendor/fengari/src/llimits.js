"use strict";

const lua_assert = function(c) {
    if (!c) throw Error("assertion failed");
};
module.exports.lua_assert = lua_assert;

const api_check = function(l, e, msg) {
    if (!e) throw Error(msg);
};
module.exports.api_check = api_check;

const LUAI_MAXCCALLS = 200;
module.exports.LUAI_MAXCCALLS = LUAI_MAXCCALLS;

/* minimum size for string buffer */
const LUA_MINBUFFER = 32;
module.exports.LUA_MINBUFFER = LUA_MINBUFFER;

/* PATCH(redis-lua51): 5.1's luai_nummod, a - floor(a/b)*b (so 1 % math.huge is nan) */
const luai_nummod = function(L, a, b) {
    return a - Math.floor(a/b)*b;
};
module.exports.luai_nummod = luai_nummod;

/* PATCH(redis-lua51): C pow, where pow(1, y) and pow(x, 0) are 1 even for NaN and pow(-1, +-inf) is 1 */
const luai_numpow = function(L, a, b) {
    if (a === 1 || b === 0) return 1;
    if (a === -1 && (b === Infinity || b === -Infinity)) return 1;
    if (a !== a) return a;  /* a NaN operand comes back with its sign */
    if (b !== b) return b;
    let r = Math.pow(a, b);
    return r !== r ? -NaN : r;  /* glibc's invalid result is -nan */
};
module.exports.luai_numpow = luai_numpow;

// If later integers are more than 32bit, LUA_MAXINTEGER will then be != MAX_INT
const MAX_INT = 2147483647;
module.exports.MAX_INT = MAX_INT;
const MIN_INT = -2147483648;
module.exports.MIN_INT = MIN_INT;
