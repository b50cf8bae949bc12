// node-semver's side of bench/semver.sh: the same measurements as bench_semver.c on the
// same files, best of RUNS. Run from tests/compat/semver's node_modules (see semver.sh).
'use strict'
const fs = require('fs')
const semver = require('semver')
const [versionsFile, pairsFile, runsArg] = process.argv.slice(2)
const runs = Number(runsArg || 3)
const vs = fs.readFileSync(versionsFile, 'utf8').split('\n')
vs.pop()
const pairs = fs.readFileSync(pairsFile, 'utf8').split('\n')
pairs.pop()
const ranges = pairs.map((l) => l.slice(0, l.indexOf('\t')))
const vers = pairs.map((l) => l.slice(l.indexOf('\t') + 1))

const now = () => Number(process.hrtime.bigint()) / 1e9
const best = {}
const keep = (k, t) => { best[k] = Math.min(best[k] ?? Infinity, t) }
let sink = 0
let matched = 0
for (let run = 0; run < runs; run++) {
  let t0 = now()
  const parsed = vs.map((v) => new semver.SemVer(v))
  keep('parse', now() - t0)

  t0 = now()
  for (let i = 0; i + 1 < parsed.length; i++) sink += parsed[i].compare(parsed[i + 1])
  sink += parsed[parsed.length - 1].compare(parsed[0])
  keep('compare', now() - t0)

  t0 = now()
  for (let i = 0; i < vs.length; i++) sink += semver.compare(vs[i], vs[i + 1 < vs.length ? i + 1 : 0])
  keep('compare_str', now() - t0)

  const objs = parsed.slice()
  t0 = now()
  objs.sort((a, b) => a.compareBuild(b))
  keep('sort', now() - t0)

  // semver.sort() on strings, as most callers write it (parses inside the comparator)
  if (run === 0) {
    const strs = vs.slice()
    t0 = now()
    semver.sort(strs)
    keep('sort_strings', now() - t0)
  }

  const map = new Map()
  matched = 0
  t0 = now()
  for (let i = 0; i < ranges.length; i++) {
    let r = map.get(ranges[i])
    if (!r) {
      r = new semver.Range(ranges[i])
      map.set(ranges[i], r)
    }
    if (r.test(vers[i])) matched++
  }
  keep('satisfies', now() - t0)

  // semver.satisfies(v, r) per pair, as most callers write it (node-semver's own range cache)
  if (run === 0) {
    t0 = now()
    let m = 0
    for (let i = 0; i < ranges.length; i++) if (semver.satisfies(vers[i], ranges[i])) m++
    keep('satisfies_api', now() - t0)
  }
}
console.log(`versions ${vs.length}\npairs ${pairs.length}\nsatisfied ${matched}`)
for (const k of Object.keys(best)) console.log(`time ${k} ${best[k].toFixed(6)}`)
console.log(`sink ${sink}`)
