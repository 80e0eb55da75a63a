/**
 * The Lua scripts behind every Redis operation. Each runs atomically on the server, and
 * every key it touches is passed in KEYS and shares the partition's hash tag, so the same
 * scripts run on Redis Cluster. Times are the caller's epoch ms (ARGV); real key expiry
 * (PEXPIRE) is only for cleanup and is set as a duration past the logical expiry.
 */

// Shared helper: apply a Settle. KEYS from `first`: reset counter keys, then drop record keys.
// ARGV: ..., nReset, nDrop, touchId ('' for none), now
const SETTLE = `
local function settle(first, nReset, nDrop, touch, now, authKey, usedKey)
  for i = first, first + nReset + nDrop - 1 do redis.call('DEL', KEYS[i]) end
  if touch ~= '' and redis.call('HEXISTS', authKey, touch) == 1 then
    redis.call('HSET', usedKey, touch, now)
  end
end
`;

/** KEYS: auth, used. Returns [authFlat, usedFlat]. */
export const GET_AUTH = `
return { redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]) }
`;

/** KEYS: auth, used, step. ARGV: id, json, lastUsedAt ('' none), replace ids... */
export const SAVE_AUTH = `
for i = 4, #ARGV do
  if ARGV[i] ~= ARGV[1] then
    redis.call('HDEL', KEYS[1], ARGV[i]); redis.call('HDEL', KEYS[2], ARGV[i]); redis.call('HDEL', KEYS[3], ARGV[i])
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] == '' then redis.call('HDEL', KEYS[2], ARGV[1]) else redis.call('HSET', KEYS[2], ARGV[1], ARGV[3]) end
return 1
`;

/** KEYS: auth, used, step. ARGV: ids... Returns how many existed. */
export const DELETE_AUTH = `
local n = 0
local seen = {}
for i = 1, #ARGV do
  if not seen[ARGV[i]] then
    seen[ARGV[i]] = true
    n = n + redis.call('HDEL', KEYS[1], ARGV[i])
    redis.call('HDEL', KEYS[2], ARGV[i]); redis.call('HDEL', KEYS[3], ARGV[i])
  end
end
return n
`;

/** KEYS: auth, used, step, settle keys... ARGV: id, step, now, stepTtlMs, nReset, nDrop, touch */
export const USE_TOTP_STEP = `${SETTLE}
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
local step = tonumber(ARGV[2])
local last = redis.call('HGET', KEYS[3], ARGV[1])
if last and step <= tonumber(last) then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
settle(4, tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7], ARGV[3], KEYS[1], KEYS[2])
return 1
`;

/** KEYS: rc. ARGV: hashes... */
export const SET_RECOVERY = `
redis.call('DEL', KEYS[1])
for i = 1, #ARGV do redis.call('HSET', KEYS[1], ARGV[i], '0') end
return 1
`;

/** KEYS: rc, auth, used, settle keys... ARGV: now, nReset, nDrop, touch, hashes... */
export const USE_RECOVERY = `${SETTLE}
for i = 5, #ARGV do
  if redis.call('HGET', KEYS[1], ARGV[i]) == '0' then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[1])
    settle(4, tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[1], KEYS[2], KEYS[3])
    return 1
  end
end
return 0
`;

/** KEYS: rc. Returns unused count. */
export const COUNT_RECOVERY = `
local n = 0
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do if v == '0' then n = n + 1 end end
return n
`;

/** KEYS: record. ARGV: value, expiresAt, ttlMs */
export const PUT_RECORD = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'x', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

/** KEYS: record, auth, used, settle keys... ARGV: now, nReset, nDrop, touch. Returns {value} or {}. */
export const TAKE_RECORD = `${SETTLE}
local r = redis.call('HMGET', KEYS[1], 'v', 'x')
if not r[1] then return {} end
redis.call('DEL', KEYS[1])
if tonumber(r[2]) <= tonumber(ARGV[1]) then return {} end
settle(4, tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[1], KEYS[2], KEYS[3])
return { r[1] }
`;

/**
 * KEYS: auth, used, record (or a placeholder), counter keys...
 * ARGV: now, slackMs, loadAuth (0/1), loadRecord (0/1), then per rule: limit, windowMs, blockMs (-1 none).
 * All or nothing: if any rule has reached its limit nothing is counted.
 * Returns { allowed, counts, resets, authFlat, usedFlat, {record} }.
 */
export const HIT = `
local now = tonumber(ARGV[1])
local slack = tonumber(ARGV[2])
local n = #KEYS - 3
local counts, resets = {}, {}
local allowed = 1
for i = 1, n do
  local c = redis.call('HMGET', KEYS[3 + i], 'c', 'r')
  local limit = tonumber(ARGV[5 + (i - 1) * 3])
  local windowMs = tonumber(ARGV[6 + (i - 1) * 3])
  if c[1] and tonumber(c[2]) > now then
    counts[i] = tonumber(c[1]); resets[i] = tonumber(c[2])
  else
    counts[i] = 0; resets[i] = now + windowMs
  end
  if counts[i] >= limit then allowed = 0 end
end
if allowed == 1 then
  for i = 1, n do
    local limit = tonumber(ARGV[5 + (i - 1) * 3])
    local blockMs = tonumber(ARGV[7 + (i - 1) * 3])
    counts[i] = counts[i] + 1
    if blockMs >= 0 and counts[i] >= limit and now + blockMs > resets[i] then resets[i] = now + blockMs end
    redis.call('HSET', KEYS[3 + i], 'c', counts[i], 'r', string.format('%d', resets[i]))
    redis.call('PEXPIRE', KEYS[3 + i], resets[i] - now + slack)
  end
end
local auth, used, rec = {}, {}, {}
if ARGV[3] == '1' then
  auth = redis.call('HGETALL', KEYS[1]); used = redis.call('HGETALL', KEYS[2])
end
if ARGV[4] == '1' then
  local r = redis.call('HMGET', KEYS[3], 'v', 'x')
  if r[1] and tonumber(r[2]) > now then rec = { r[1] } end
end
local rs = {}
for i = 1, n do rs[i] = string.format('%d', resets[i]) end
return { allowed, counts, rs, auth, used, rec }
`;

/** KEYS: counter keys... */
export const RESET_COUNTERS = `
for i = 1, #KEYS do redis.call('DEL', KEYS[i]) end
return 1
`;
