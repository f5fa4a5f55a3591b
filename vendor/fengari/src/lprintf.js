"use strict";

/*
** PATCH(redis-lua51): C printf conversions of numbers, as glibc prints them on x86-64.
** Not upstream fengari code. Lua 5.1 formats numbers with the C library: tostring uses
** "%.14g", string.format passes %d/%e/%f/%g... straight to sprintf. sprintf-js differs
** from C for %g/%e (no exponent padding, no trailing-zero rules), so these are exact.
*/

const f64 = new Float64Array(1);
const u8 = new Uint8Array(f64.buffer);

/* the sign bit of a NaN: x86 produces "-nan" for 0/0, "nan" for -(0/0) */
const signbit = function(x) {
    f64[0] = x;
    return (u8[7] & 0x80) !== 0;
};

const expSuffix = function(e, upper) {
    const a = Math.abs(e);
    return (upper ? 'E' : 'e') + (e < 0 ? '-' : '+') + (a < 10 ? '0' : '') + a;
};

/*
** JS rounds an exact tie (x * 10^k ending in exactly .5) up; glibc rounds it to even.
** tieRound returns the half-even rounding of x * 10^k when x * 10^k is exactly a tie, else undefined.
*/
const u32 = new Uint32Array(f64.buffer);
const tieRound = function(x, k) {
    f64[0] = x;
    const bexp = (u32[1] >>> 20) & 0x7ff;
    let m = (BigInt(u32[1] & 0xfffff) << 32n) | BigInt(u32[0]);
    let e = -1074;
    if (bexp !== 0) { m |= 1n << 52n; e = bexp - 1075; }
    let num = m, den = 1n;
    if (e >= 0) num <<= BigInt(e); else den <<= BigInt(-e);
    if (k >= 0) num *= 10n ** BigInt(k); else den *= 10n ** BigInt(-k);
    const twice = 2n * num;
    if (twice % den !== 0n) return undefined;
    const t = twice / den;
    if (t % 2n === 0n) return undefined;  /* an integer: no tie */
    const q = (t - 1n) / 2n;
    return q % 2n === 0n ? q : q + 1n;
};

/*
** whether x * 10^k is exactly a tie (fraction .5): with x = m * 2^e (m odd), it is when
** x * 2^(k+1) is an odd integer (and, for k < 0, a multiple of 5^-k). Exact, and cheap.
*/
const isTie = function(x, k) {
    const y = x * Math.pow(2, k + 1);
    if (!Number.isInteger(y) || y % 2 !== 1 || y > 9007199254740991) return false;
    return k >= 0 || y % Math.pow(5, -k) === 0;
};

/* %e body of a finite x >= 0 */
const fmtE = function(x, prec, upper) {
    const s = x.toExponential(prec);
    const k = s.indexOf('e');
    if (x !== 0 && Number.isFinite(x)) {
        let E = Math.floor(Math.log10(x));  /* decimal exponent of x, corrected near powers of 10 */
        if (Number('1e' + E) > x) E--;
        else if (Number('1e' + (E + 1)) <= x) E++;
        const q = isTie(x, prec - E) ? tieRound(x, prec - E) : undefined;
        if (q !== undefined) {
            let ds = q.toString();
            let e = E;
            if (ds.length > prec + 1) { e++; ds = ds.slice(0, prec + 1); }  /* rounded up to 10^(prec+1) */
            return ds[0] + (prec > 0 ? '.' + ds.slice(1) : '') + expSuffix(e, upper);
        }
    }
    return s.slice(0, k) + expSuffix(parseInt(s.slice(k + 1), 10), upper);
};

/* %f body of a finite x >= 0 (toFixed switches to exponents at 1e21) */
const fmtF = function(x, prec) {
    if (x >= 1e21) return BigInt(x).toString() + (prec > 0 ? '.' + '0'.repeat(prec) : '');
    if (isTie(x, prec)) {
        const q = tieRound(x, prec);
        if (q !== undefined) {
            const ds = q.toString().padStart(prec + 1, '0');
            return prec > 0 ? ds.slice(0, ds.length - prec) + '.' + ds.slice(ds.length - prec) : ds;
        }
    }
    return x.toFixed(prec);
};

const stripZeros = function(s) {
    const k = s.search(/[eE]/);
    let m = k < 0 ? s : s.slice(0, k);
    const e = k < 0 ? '' : s.slice(k);
    if (m.indexOf('.') >= 0) m = m.replace(/0+$/, '').replace(/\.$/, '');
    return m + e;
};

/* %g body of a finite x >= 0 */
const fmtG = function(x, prec, alt, upper) {
    const P = prec === 0 ? 1 : prec;
    if (x === 0) return alt ? fmtF(0, P - 1) : '0';
    const e = x.toExponential(P - 1);
    const X = parseInt(e.slice(e.indexOf('e') + 1), 10);
    const body = (P > X && X >= -4) ? fmtF(x, P - 1 - X) : fmtE(x, P - 1, upper);
    return alt ? body : stripZeros(body);
};

const pad = function(sign, body, flags, width, zeroOk) {
    let len = sign.length + body.length;
    if (width <= len) return sign + body;
    if (flags.indexOf('-') >= 0) return sign + body + ' '.repeat(width - len);
    if (zeroOk && flags.indexOf('0') >= 0) return sign + '0'.repeat(width - len) + body;
    return ' '.repeat(width - len) + sign + body;
};

const signOf = function(negative, flags) {
    if (negative) return '-';
    if (flags.indexOf('+') >= 0) return '+';
    if (flags.indexOf(' ') >= 0) return ' ';
    return '';
};

/* conv one of e E f F g G; prec < 0 means none */
const format_float = function(conv, flags, width, prec, x) {
    const upper = conv === 'E' || conv === 'F' || conv === 'G';
    if (!isFinite(x)) {
        const neg = Number.isNaN(x) ? signbit(x) : x < 0;
        const body = Number.isNaN(x) ? 'nan' : 'inf';
        return pad(signOf(neg, flags), upper ? body.toUpperCase() : body, flags, width, false);
    }
    const neg = x < 0 || Object.is(x, -0);
    const a = Math.abs(x);
    const p = prec < 0 ? 6 : prec;
    const alt = flags.indexOf('#') >= 0;
    let body;
    switch (conv) {
        case 'e': case 'E': body = fmtE(a, p, upper); break;
        case 'f': case 'F': body = fmtF(a, p); break;
        default: body = fmtG(a, p, alt, upper);
    }
    if (alt && body.indexOf('.') < 0 && (conv === 'f' || conv === 'F' || conv === 'e' || conv === 'E'))
        body = body.replace(/^(\d+)/, '$1.');
    return pad(signOf(neg, flags), body, flags, width, true);
};

/* a double converted to C long long, as x86-64 truncates it */
const toInt64 = function(x) {
    if (!isFinite(x) || Math.abs(x) >= 9223372036854775808) return -9223372036854775808n;
    return BigInt(Math.trunc(x));
};

/* conv one of d i o u x X; the double is truncated to a 64-bit integer first */
const format_int = function(conv, flags, width, prec, x) {
    let v = toInt64(x);
    let neg = false;
    let digits;
    let prefix = '';
    if (conv === 'd' || conv === 'i') {
        neg = v < 0n;
        digits = (neg ? -v : v).toString();
    } else {
        v = BigInt.asUintN(64, v);
        const radix = conv === 'o' ? 8 : conv === 'u' ? 10 : 16;
        digits = v.toString(radix);
        if (conv === 'X') digits = digits.toUpperCase();
        if (flags.indexOf('#') >= 0 && v !== 0n) {
            if (conv === 'o') digits = '0' + digits;
            else if (conv === 'x') prefix = '0x';
            else if (conv === 'X') prefix = '0X';
        }
    }
    if (prec >= 0) {
        if (prec === 0 && v === 0n) digits = '';
        if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
    }
    const sign = (conv === 'd' || conv === 'i') ? signOf(neg, flags) : '';
    return pad(sign + prefix, digits, flags, width, prec < 0);
};

/* "%.14g": LUAI_NUMFFORMAT of Lua 5.1; integers of up to 14 digits print as themselves */
const lua_number2str51 = function(x) {
    if (Number.isInteger(x) && x < 1e14 && x > -1e14 && !Object.is(x, -0)) return String(x);
    return format_float('g', '', 0, 14, x);
};

/* parses a format spec such as "%-5.2f" (ASCII) into its parts */
const parse_spec = function(spec) {
    const m = /^%([-+ #0]*)(\d*)(?:\.(\d*))?([a-zA-Z])$/.exec(spec);
    if (!m) return null;
    return {
        flags: m[1],
        width: m[2] ? parseInt(m[2], 10) : 0,
        prec: m[3] === undefined ? -1 : (m[3] ? parseInt(m[3], 10) : 0),
        conv: m[4]
    };
};

module.exports.format_float = format_float;
module.exports.format_int = format_int;
module.exports.lua_number2str51 = lua_number2str51;
module.exports.parse_spec = parse_spec;
module.exports.signbit = signbit;
