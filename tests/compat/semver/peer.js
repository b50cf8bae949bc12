// The peer side of the differential harness: node-semver in batch mode.
// usage: node peer.js MODE [--loose] [--include-prerelease] < cases > answers
// The modes and line formats mirror `cicd semver MODE -` (see run.py).
'use strict'
const semver = require('semver')

const mode = process.argv[2]
const opts = {
  loose: process.argv.includes('--loose'),
  includePrerelease: process.argv.includes('--include-prerelease'),
}
const reverse = process.argv.includes('--reverse')

const input = require('fs').readFileSync(0, 'utf8')
const lines = input.split('\n')
if (lines.length && lines[lines.length - 1] === '') lines.pop()

const full = (v) => v.version + (v.build.length ? '+' + v.build.join('.') : '')

const answer = {
  valid (line) {
    const v = semver.parse(line, opts)
    return v ? full(v) : 'invalid'
  },
  compare (line) {
    const f = line.split('\t')
    if (f.length !== 2) return 'invalid'
    try {
      return String(semver.compare(f[0], f[1], opts))
    } catch (e) {
      return 'invalid'
    }
  },
  inc (line) {
    const f = line.split('\t')
    if (f.length < 2 || f.length > 3) return 'invalid'
    const r = semver.inc(f[0], f[1], opts, f.length === 3 ? f[2] : undefined)
    return r === null ? 'invalid' : r
  },
  satisfies (line) {
    const f = line.split('\t')
    if (f.length !== 2) return 'invalid'
    if (semver.validRange(f[0], opts) === null) return 'invalid'
    if (semver.parse(f[1], opts) === null) return 'invalid'
    return String(semver.satisfies(f[1], f[0], opts))
  },
  range (line) {
    const r = semver.validRange(line, opts)
    return r === null ? 'invalid' : r
  },
  // one JSON array of versions a line; answers are JSON arrays
  sort (line) {
    const list = JSON.parse(line)
    try {
      return JSON.stringify(reverse ? semver.rsort(list, opts) : semver.sort(list, opts))
    } catch (e) {
      return 'invalid'
    }
  },
}[mode]

if (!answer) {
  console.error(`unknown mode ${mode}`)
  process.exit(2)
}
process.stdout.write(lines.map(answer).join('\n') + (lines.length ? '\n' : ''))
