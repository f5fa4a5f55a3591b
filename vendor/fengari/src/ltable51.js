"use strict";

/*
** PATCH(redis-lua51): Lua 5.1's table layout, kept beside fengari's Map so that next()/pairs()
** visit keys in the order Redis's Lua does (array part 1..sizearray, then the hash nodes in node
** order) and '#' finds the same border. Not upstream fengari code: a transcription of ltable.c of
** Lua 5.1 (mainposition, newkey, getfreepos, rehash, computesizes, resize, luaH_next, luaH_getn)
** with Redis's string hash (lstring.c hashes every byte). Values stay in fengari's Map ('strong');
** the layout only records where each key sits: node i holds the key, its Map hash and its Map
** entry (entry.n51 is the node's index; an entry whose value is undefined is dead). A key whose
** value became nil keeps its node until the next rehash (5.1 without a garbage collection in
** between); 'ndead' maps such keys' hashes to their nodes. ltable.js calls set() before adding a
** new key to the Map (so that a rehash counts it once), bind() after, and kill() when a key dies.
*/

const {
    constant_types: {
        LUA_TBOOLEAN,
        LUA_TLIGHTUSERDATA,
        LUA_TLNGSTR,
        LUA_TNUMFLT,
        LUA_TNUMINT,
        LUA_TSHRSTR
    }
} = require('./defs.js');

const MAXBITS = 30;
const MAXASIZE = 1 << MAXBITS;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

const ceillog2 = function(x) {
    return 32 - Math.clz32(x - 1);
};

/* luaO_fb2int: decodes the "floating point byte" sizes of OP_NEWTABLE */
const fb2int = function(x) {
    let e = (x >>> 3) & 31;
    if (e === 0) return x;
    return ((x & 7) + 8) * Math.pow(2, e - 1);
};

/* Redis's luaS_newlstr hash: seeded with the length, every byte from the end */
const strhash = function(ts) {
    if (ts.hash51 !== undefined) return ts.hash51;
    let s = ts.getstr();
    let h = s.length >>> 0;
    for (let l1 = s.length; l1 >= 1; l1--)
        h = (h ^ ((((h << 5) >>> 0) + (h >>> 2) + s[l1 - 1]) >>> 0)) >>> 0;
    ts.hash51 = h;
    return h;
};

/* an integer-valued number key (lua_number2int then compare), else -1 */
const arrayindex = function(key) {
    if (key.type === LUA_TNUMFLT || key.type === LUA_TNUMINT) {
        let n = key.value;
        let k = n | 0;
        if (k === n) return k;
    }
    return -1;
};

const sizenode = function(t) {
    return t.isdummy ? 1 : t.nkey.length;
};

const hashmod = function(t, n) {
    return (n >>> 0) % ((sizenode(t) - 1) | 1);
};

let pointer_ids = new WeakMap();
let next_pointer_id = 1;
const pointer_of = function(v) {
    if (v === null || v === undefined) return 0;
    if (typeof v === 'number') return v;
    if (typeof v.id === 'number') return v.id;
    if (typeof v !== 'object' && typeof v !== 'function') return 0;
    let id = pointer_ids.get(v);
    if (!id) pointer_ids.set(v, id = next_pointer_id++);
    return id;
};

const mainposition = function(t, key) {
    switch (key.type) {
        case LUA_TNUMFLT:
        case LUA_TNUMINT: {
            let n = key.value;
            if (n === 0) return 0;  /* avoid problems with -0 */
            f64[0] = n;
            return hashmod(t, (u32[0] + u32[1]) >>> 0);
        }
        case LUA_TSHRSTR:
        case LUA_TLNGSTR:
            return strhash(key.value) & (sizenode(t) - 1);
        case LUA_TBOOLEAN:
            return (key.value ? 1 : 0) & (sizenode(t) - 1);
        case LUA_TLIGHTUSERDATA:
            return hashmod(t, pointer_of(key.value));
        default:
            return hashmod(t, pointer_of(key.value));
    }
};

const setnodevector = function(t, size) {
    if (size === 0) {
        t.isdummy = true;
        t.nkey = [];
        t.nhash = [];
        t.nnext = [];
        t.nentry = [];
        t.lastfree = 0;
    } else {
        let lsize = ceillog2(size);
        size = Math.pow(2, lsize);
        t.isdummy = false;
        t.nkey = new Array(size).fill(null);
        t.nhash = new Array(size).fill(undefined);
        t.nnext = new Array(size).fill(-1);
        t.nentry = new Array(size).fill(null);
        t.lastfree = size;
    }
    t.ndead = new Map();
};

const init = function(t, narray, nhash) {
    t.sizearray = narray > 0 ? narray : 0;
    t.aentry = new Array(t.sizearray).fill(null);
    setnodevector(t, nhash > 0 ? nhash : 0);
};

const alive = function(e) {
    return e !== null && e !== undefined && e.value !== undefined;
};

/* for getn: is t[i] non-nil? */
const hasint = function(t, i) {
    if (i >= 1 && i <= t.sizearray) return alive(t.aentry[i - 1]);
    return t.strong.has(i);
};

const getfreepos = function(t) {
    while (t.lastfree > 0) {
        t.lastfree--;
        if (t.nkey[t.lastfree] === null) return t.lastfree;
    }
    return -1;
};

const computesizes = function(nums, narray) {
    let a = 0, na = 0, n = 0;
    for (let i = 0, twotoi = 1; twotoi / 2 < narray; i++, twotoi *= 2) {
        if (nums[i] > 0) {
            a += nums[i];
            if (a > twotoi / 2) {
                n = twotoi;
                na = a;
            }
        }
        if (a === narray) break;
    }
    return { n: n, na: na };
};

const countint = function(key, nums) {
    let k = arrayindex(key);
    if (0 < k && k <= MAXASIZE) {
        nums[ceillog2(k)]++;
        return 1;
    }
    return 0;
};

const numkey = function(i) {
    return { type: LUA_TNUMFLT, value: i };
};

const resize = function(t, nasize, nhsize) {
    let oldasize = t.sizearray;
    let oldkey = t.nkey, oldhash = t.nhash, oldentry = t.nentry, oldaentry = t.aentry;
    if (nasize > oldasize) {
        t.sizearray = nasize;
        t.aentry = oldaentry.concat(new Array(nasize - oldasize).fill(null));
    }
    setnodevector(t, nhsize);
    if (nasize < oldasize) {
        t.sizearray = nasize;
        t.aentry = oldaentry.slice(0, nasize);
        for (let i = nasize; i < oldasize; i++)
            if (alive(oldaentry[i])) set(t, numkey(i + 1), i + 1, oldaentry[i]);
    }
    for (let i = oldkey.length - 1; i >= 0; i--)
        if (oldkey[i] !== null && alive(oldentry[i])) set(t, oldkey[i], oldhash[i], oldentry[i]);
};

const rehash = function(t, ek) {
    let nums = new Array(MAXBITS + 1).fill(0);
    let nasize = 0;
    for (let i = 1; i <= t.sizearray; i++)
        if (alive(t.aentry[i - 1])) { nums[ceillog2(i)]++; nasize++; }
    let totaluse = nasize;
    for (let i = 0; i < t.nkey.length; i++) {
        if (t.nkey[i] !== null && alive(t.nentry[i])) {
            nasize += countint(t.nkey[i], nums);
            totaluse++;
        }
    }
    nasize += countint(ek, nums);
    totaluse++;
    let sizes = computesizes(nums, nasize);
    resize(t, sizes.n, totaluse - sizes.na);
};

const placekey = function(t, mp, key, hash, entry) {
    if (t.nkey[mp] !== null && t.ndead.get(t.nhash[mp]) === mp)
        t.ndead.delete(t.nhash[mp]);  /* a dead key loses its node */
    t.nkey[mp] = key;
    t.nhash[mp] = hash;
    t.nentry[mp] = entry;
    if (entry !== null) entry.n51 = mp;
    return mp;
};

const newkey = function(t, key, hash, entry) {
    let mp = mainposition(t, key);
    if (t.isdummy || (t.nkey[mp] !== null && alive(t.nentry[mp]))) {
        let n = getfreepos(t);
        if (n < 0) {
            rehash(t, key);
            return set(t, key, hash, entry);
        }
        let othern = mainposition(t, t.nkey[mp]);
        if (othern !== mp) {  /* colliding node is out of its main position: move it */
            while (t.nnext[othern] !== mp) othern = t.nnext[othern];
            t.nnext[othern] = n;
            t.nkey[n] = t.nkey[mp];
            t.nhash[n] = t.nhash[mp];
            t.nnext[n] = t.nnext[mp];
            t.nentry[n] = t.nentry[mp];
            if (t.nentry[n] !== null) t.nentry[n].n51 = n;
            if (t.ndead.size > 0 && t.ndead.get(t.nhash[n]) === mp) t.ndead.set(t.nhash[n], n);
            t.nnext[mp] = -1;
        } else {  /* new key goes into the free position */
            t.nnext[n] = t.nnext[mp];
            t.nnext[mp] = n;
            mp = n;
        }
    }
    return placekey(t, mp, key, hash, entry);
};

/*
** luaH_set's placement of a key that is not live in the table: the array slot (returns -1), the
** node still holding it dead, or a new node (returns the node's index). 'entry' is given when
** re-inserting during a resize.
*/
const set = function(t, key, hash, entry) {
    let k = arrayindex(key);
    if (k >= 1 && k <= t.sizearray) {
        if (entry) t.aentry[k - 1] = entry;
        return -1;
    }
    if (t.ndead.size > 0) {
        let i = t.ndead.get(hash);
        if (i !== undefined) {
            t.ndead.delete(hash);
            t.nentry[i] = entry || null;
            if (entry) entry.n51 = i;
            return i;
        }
    }
    return newkey(t, key, hash, entry || null);
};

/* after ltable.js has added the key's Map entry: point the key's slot (from set) at it */
const bind = function(t, key, slot, entry) {
    if (slot < 0) {
        t.aentry[arrayindex(key) - 1] = entry;
    } else {
        t.nentry[slot] = entry;
        entry.n51 = slot;
    }
};

/* a key's value became nil: a node keeps the dead key until the next rehash */
const kill = function(t, entry, hash) {
    let i = entry.n51;
    if (i !== undefined && i >= 0 && t.nentry[i] === entry) t.ndead.set(hash, i);
};

/* luaH_resizearray, for OP_SETLIST */
const resizearray = function(t, nasize) {
    resize(t, nasize, t.isdummy ? 0 : t.nkey.length);
};

/* luaH_next: returns [key TValue, value TValue] after the key at 'keyindex' ('-1' = start), or null */
const next = function(t, index) {
    for (let i = index + 1; i < t.sizearray; i++) {
        let e = t.aentry[i];
        if (alive(e)) return e;
    }
    for (let i = Math.max(index + 1 - t.sizearray, 0); i < t.nkey.length; i++) {
        let e = t.nentry[i];
        if (t.nkey[i] !== null && alive(e)) return e;
    }
    return null;
};

/* findindex: position of a key for next(), or undefined when the table does not hold it */
const findindex = function(t, key, hash) {
    let k = arrayindex(key);
    if (k >= 1 && k <= t.sizearray) return k - 1;
    let e = t.strong.get(hash);
    let i = e && t.nentry[e.n51] === e ? e.n51 : t.ndead.get(hash);
    return i === undefined ? undefined : i + t.sizearray;
};

/* luaH_getn of 5.1 */
const getn = function(t) {
    let j = t.sizearray;
    if (j > 0 && !hasint(t, j)) {
        let i = 0;
        while (j - i > 1) {
            let m = Math.floor((i + j) / 2);
            if (!hasint(t, m)) j = m;
            else i = m;
        }
        return i;
    }
    if (t.isdummy) return j;
    let i = j;
    j++;
    while (hasint(t, j)) {
        i = j;
        j *= 2;
        if (j > 2147483647) {
            i = 1;
            while (hasint(t, i)) i++;
            return i - 1;
        }
    }
    while (j - i > 1) {
        let m = Math.floor((i + j) / 2);
        if (!hasint(t, m)) j = m;
        else i = m;
    }
    return i;
};

module.exports.bind = bind;
module.exports.kill = kill;
module.exports.fb2int = fb2int;
module.exports.findindex = findindex;
module.exports.getn = getn;
module.exports.init = init;
module.exports.next = next;
module.exports.resizearray = resizearray;
module.exports.set = set;
