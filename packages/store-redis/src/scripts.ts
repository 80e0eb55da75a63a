/**
 * The Lua scripts behind every Redis operation. Each runs atomically on the server, and
 * every key it touches shares the partition's hash tag, so the same scripts run on Redis
 * Cluster. Times are the caller's epoch ms (ARGV); real key expiry (PEXPIRE) is only for
 * cleanup and is set as a duration past the logical expiry.
 *
 * Calling convention (see `Call` in redis-store.ts): KEYS[1..7] are the partition's fixed
 * keys, ARGV[1] is `now` and ARGV[2] the cleanup slack in ms. What follows is read in
 * order with `key()`, `arg()` and `args(n)` (never two reads in one expression list: Lua
 * does not promise its order of evaluation), so the client pushes keys and args in the order
 * the script reads them. Record and counter keys the client knows are passed in KEYS; the
 * members of the two indexes (listRecords, purge) are built from the partition's key base,
 * which is in the same hash slot.
 */

const PRELUDE = `
local AUTH, USED, STEP, ORD, RC, RECS, CTRS = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local NOW_S, NOW, SLACK = ARGV[1], tonumber(ARGV[1]), tonumber(ARGV[2])
local ki, ai = 7, 2
local function key() ki = ki + 1; return KEYS[ki] end
local function arg() ai = ai + 1; return ARGV[ai] end
local function num() return tonumber(arg()) end
-- The next n args, in order, as n values.
local function args(n)
  local t = {}
  for i = 1, n do t[i] = arg() end
  return unpack(t, 1, n)
end
local function int(x) return string.format('%d', x) end

-- Drops index members that expired by now; the index itself outlives its last member by the slack.
local function tidy(index)
  redis.call('ZREMRANGEBYSCORE', index, '-inf', NOW_S)
  local top = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')
  if top[2] then redis.call('PEXPIRE', index, int(math.max(tonumber(top[2]) - NOW, 0) + SLACK + 1)) end
end

-- The value of a live record, or nil.
local function live(k)
  local r = redis.call('HMGET', k, 'v', 'x')
  if r[1] and tonumber(r[2]) > NOW then return r[1] end
  return nil
end
local function unrecord(k, name) redis.call('DEL', k); redis.call('ZREM', RECS, name) end
local function uncount(k, name) redis.call('DEL', k); redis.call('ZREM', CTRS, name) end

-- An authenticator with its last-used time, counter and place in the order.
local function forget(id)
  redis.call('HDEL', USED, id); redis.call('HDEL', STEP, id); redis.call('ZREM', ORD, id)
  return redis.call('HDEL', AUTH, id)
end
local function loadAuth()
  return { redis.call('HGETALL', AUTH), redis.call('HGETALL', USED), redis.call('HGETALL', STEP), redis.call('ZRANGE', ORD, 0, -1, 'WITHSCORES') }
end

-- Settle: nReset, nDrop, then (key, name) per reset and per drop, then hasTouch, touch id.
local function readSettle()
  local s = { reset = {}, drop = {} }
  local nr, nd = args(2)
  for i = 1, tonumber(nr) do local k = key(); s.reset[i] = { k, arg() } end
  for i = 1, tonumber(nd) do local k = key(); s.drop[i] = { k, arg() } end
  local hasTouch, touch = args(2)
  if hasTouch == '1' then s.touch = touch end
  return s
end
local function settle(s)
  for _, r in ipairs(s.reset) do uncount(r[1], r[2]) end
  for _, d in ipairs(s.drop) do unrecord(d[1], d[2]) end
  if s.touch and redis.call('HEXISTS', AUTH, s.touch) == 1 then redis.call('HSET', USED, s.touch, NOW_S) end
end

-- Consumable: hasRecord [key, name], hasCounter [id, value, allowZero], nCodes (-1: none) hashes...
local function readConsumable()
  local c = {}
  if arg() == '1' then local k = key(); c.record = { k, arg() } end
  if arg() == '1' then
    local id, value, zero = args(3)
    c.counter = { id = id, value = value, zero = zero == '1' }
  end
  local n = num()
  if n >= 0 then
    c.codes = {}
    for i = 1, n do c.codes[i] = arg() end
  end
  return c
end

-- Checks every condition first, then writes: all or nothing. Settles only on success.
local function consume(c, s)
  if c.record and not live(c.record[1]) then return false end
  if c.counter then
    if redis.call('HEXISTS', AUTH, c.counter.id) == 0 then return false end
    local v, last = tonumber(c.counter.value), redis.call('HGET', STEP, c.counter.id)
    last = last and tonumber(last)
    local zeroOk = c.counter.zero and v == 0 and (not last or last == 0)
    if not zeroOk and last and v <= last then return false end
  end
  local code
  if c.codes then
    for _, h in ipairs(c.codes) do
      if not code and redis.call('HGET', RC, h) == '0' then code = h end
    end
    if not code then return false end
  end
  if c.record then unrecord(c.record[1], c.record[2]) end
  if c.counter then
    -- Counters are kept for good (WebAuthn sign counts); 0.1 gave this hash a TTL.
    redis.call('HSET', STEP, c.counter.id, c.counter.value)
    redis.call('PERSIST', STEP)
  end
  if code then redis.call('HSET', RC, code, NOW_S) end
  settle(s)
  return true
end
`;

const script = (body: string) => `${PRELUDE}\n${body}`;

/** Returns { authFlat, usedFlat, stepFlat, ordFlat }. */
export const GET_AUTH = script(`return loadAuth()`);

/** ARGV: id, json, lastUsedAt ('' none), replace ids... */
export const SAVE_AUTH = script(`
local id, json, used = args(3)
for i = ai + 1, #ARGV do
  if ARGV[i] ~= id then forget(ARGV[i]) end
end
if redis.call('HEXISTS', AUTH, id) == 0 then
  -- New: no counter yet, and last in the order. (Replacing in place keeps both.)
  redis.call('HDEL', STEP, id)
  local top = redis.call('ZRANGE', ORD, -1, -1, 'WITHSCORES')
  redis.call('ZADD', ORD, int((top[2] and tonumber(top[2]) or 0) + 1), id)
end
redis.call('HSET', AUTH, id, json)
if used == '' then redis.call('HDEL', USED, id) else redis.call('HSET', USED, id, used) end
return 1
`);

/**
 * ARGV: id, json, lastUsedAt ('' none), ifSecret. Returns 1 when written. lastUsedAt only
 * moves forward: a caller re-encrypting the record it read must not undo a touch made since.
 */
export const UPDATE_AUTH = script(`
local id, json, used, ifSecret = args(4)
local current = redis.call('HGET', AUTH, id)
if not current or cjson.decode(current).secret ~= ifSecret then return 0 end
redis.call('HSET', AUTH, id, json)
local before = redis.call('HGET', USED, id)
if used ~= '' and (not before or tonumber(before) < tonumber(used)) then redis.call('HSET', USED, id, used) end
return 1
`);

/** ARGV: ids... Returns how many existed. */
export const DELETE_AUTH = script(`
local n, seen = 0, {}
for i = ai + 1, #ARGV do
  if not seen[ARGV[i]] then
    seen[ARGV[i]] = true
    n = n + forget(ARGV[i])
  end
end
return n
`);

/** ARGV: consumable, settle. Returns 1 when consumed. */
export const CONSUME = script(`
local c = readConsumable()
return consume(c, readSettle()) and 1 or 0
`);

/** ARGV: hashes... */
export const SET_RECOVERY = script(`
redis.call('DEL', RC)
for i = ai + 1, #ARGV do redis.call('HSET', RC, ARGV[i], '0') end
return 1
`);

/** KEYS: record. ARGV: name, value, expiresAt. Returns { replaced live value } or {}. */
export const PUT_RECORD = script(`
local k = key()
local name, value, expiresAt = args(3)
local previous = live(k)
redis.call('DEL', k)
redis.call('HSET', k, 'v', value, 'x', expiresAt)
redis.call('PEXPIRE', k, int(math.max(tonumber(expiresAt) - NOW, 0) + SLACK + 1))
redis.call('ZADD', RECS, expiresAt, name)
tidy(RECS)
if previous then return { previous } end
return {}
`);

/** KEYS: record. ARGV: name, settle. Returns { value } or {}. */
export const TAKE_RECORD = script(`
local k = key()
local name = arg()
local s = readSettle()
local value = live(k)
if not value then return {} end
unrecord(k, name)
settle(s)
return { value }
`);

/** ARGV: key base, prefix. Returns flat { name, value, expiresAt, ... } of live records (unsorted). */
export const LIST_RECORDS = script(`
local base, prefix = args(2)
local out = {}
for _, name in ipairs(redis.call('ZRANGEBYSCORE', RECS, '(' .. NOW_S, '+inf')) do
  if string.sub(name, 1, #prefix) == prefix then
    local r = redis.call('HMGET', base .. 'rec:' .. name, 'v', 'x')
    if r[1] and tonumber(r[2]) > NOW then
      out[#out + 1] = name; out[#out + 1] = r[1]; out[#out + 1] = r[2]
    end
  end
end
return out
`);

/**
 * ARGV: nRules, per rule (KEYS: its counter) name, limit, windowMs, blockMs (-1 none);
 * hasConsume [consumable, settle]; loadAuth; hasLoadRecord [KEYS: record]; nLoadCounters [KEYS: counters].
 * Counts all or nothing, then consumes (only when allowed) and settles, then loads.
 * Returns { allowed, counts, resets, consumed (-1 not asked), auth, {record}, counterFlat }.
 */
export const HIT = script(`
local n = num()
local ks, names, limits, blocks, counts, resets = {}, {}, {}, {}, {}, {}
local allowed = true
for i = 1, n do
  ks[i] = key()
  local name, limit, windowMs, block = args(4)
  names[i], limits[i], blocks[i], windowMs = name, tonumber(limit), tonumber(block), tonumber(windowMs)
  local c = redis.call('HMGET', ks[i], 'c', 'r')
  if c[1] and tonumber(c[2]) > NOW then
    counts[i] = tonumber(c[1]); resets[i] = tonumber(c[2])
  else
    counts[i] = 0; resets[i] = NOW + windowMs
  end
  if counts[i] >= limits[i] then allowed = false end
end
if allowed and n > 0 then
  for i = 1, n do
    counts[i] = counts[i] + 1
    if blocks[i] >= 0 and counts[i] >= limits[i] and NOW + blocks[i] > resets[i] then resets[i] = NOW + blocks[i] end
    redis.call('HSET', ks[i], 'c', counts[i], 'r', int(resets[i]))
    redis.call('PEXPIRE', ks[i], int(resets[i] - NOW + SLACK))
    redis.call('ZADD', CTRS, int(resets[i]), names[i])
  end
  tidy(CTRS)
end
local consumed = -1
if arg() == '1' then
  local c = readConsumable()
  local s = readSettle()
  consumed = (allowed and consume(c, s)) and 1 or 0
end
local auth, rec, ctr = {}, {}, {}
if arg() == '1' then auth = loadAuth() end
if arg() == '1' then rec = { live(key()) } end
for i = 1, num() do
  local c = redis.call('HMGET', key(), 'c', 'r')
  if c[1] and tonumber(c[2]) > NOW then
    ctr[#ctr + 1] = c[1]; ctr[#ctr + 1] = c[2]
  else
    ctr[#ctr + 1] = '0'; ctr[#ctr + 1] = '0'
  end
end
local rs = {}
for i = 1, n do rs[i] = int(resets[i]) end
return { allowed and 1 or 0, counts, rs, consumed, auth, rec, ctr }
`);

/** ARGV: n, then per counter (KEYS: its key) name. */
export const RESET_COUNTERS = script(`
for i = 1, num() do
  local k = key()
  uncount(k, arg())
end
return 1
`);

/** ARGV: key base. Deletes every record and counter in the indexes, then the partition's fixed keys. */
export const PURGE = script(`
local base = arg()
for _, name in ipairs(redis.call('ZRANGE', RECS, 0, -1)) do redis.call('DEL', base .. 'rec:' .. name) end
for _, name in ipairs(redis.call('ZRANGE', CTRS, 0, -1)) do redis.call('DEL', base .. 'ctr:' .. name) end
redis.call('DEL', AUTH, USED, STEP, ORD, RC, RECS, CTRS)
return 1
`);
