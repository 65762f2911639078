// PII redaction: one rule set and one implementation for everything that
// records text — the sandbox (prompts and completions on its spans) and the
// app's receivers (POST /v1/traces, POST /ingest; see ./telemetry.ts).
//
// Why here: the receivers run inside the app, and code that runs inside the
// app lives in lib/. The sandbox is a separate process that imports nothing
// else of the app, so this folder's core (index, rules, checks, text, keys)
// imports nothing outside itself — no `@/` paths, no packages, no I/O — and the
// sandbox imports it by relative path. test/unit/redaction/imports.test.ts
// keeps both promises. The app-only parts sit beside it: telemetry.ts (spans
// and profile labels), sensitivity.ts (what only admins see), policy.ts
// (both policies from lib/config).

export { cnIdCheckChar, cnMobileValid, cnResidentIdValid, ibanValid, ipv6Valid, luhnValid } from './checks';
export { DEFAULT_RULES, PII_KINDS, RULE_NAMES, RuleListError, parseRuleList, type PiiKind, type RuleName } from './rules';
export { Redactor, addCounts, emptyCounts, foldFullWidth, totalCount, type PiiCounts } from './text';
export { countAttributes, REDACTION_ATTRIBUTES } from './counts';
export { BUILT_IN_ALLOWED_KEYS, DEFAULT_DROP_KEYS, KeyListError, KeyPolicy, keyMatcher, parseKeyList, type KeyAction } from './keys';
