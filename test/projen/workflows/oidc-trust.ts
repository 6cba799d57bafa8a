/**
 * Evaluation of an IAM role trust policy for `sts:AssumeRoleWithWebIdentity` with a GitHub OIDC
 * token, following IAM's documented logic: a statement applies when its action, principal and every
 * condition match (all operators of a Condition block and all keys of an operator must hold; a key
 * with several values holds when any value matches); an applicable Deny wins over any Allow; no
 * applicable Allow is an implicit deny. Condition keys compare case-insensitively, values
 * case-sensitively; StringLike's `*` matches any run of characters and `?` one character.
 *
 * Written here rather than taken from @cloud-copilot/iam-simulate (0.1.173): its validated
 * `runSimulation` keeps only the context keys AWS's service reference lists for the action, which
 * for sts:AssumeRoleWithWebIdentity has `token.actions.githubusercontent.com:ref`, `:environment`...
 * but not `:sub` or `:aud`, so both conditions evaluate as missing; its `runUnsafeSimulation`
 * throws on a resource policy (it reads the unnamed policy's metadata). Anything this evaluator does
 * not model (other operators or keys, NotAction, NotPrincipal) throws instead of guessing.
 */
export const OIDC_HOST = 'token.actions.githubusercontent.com';

export interface OidcToken {
  /** ARN of the account's IAM OIDC provider for GitHub: the web identity's principal. */
  readonly provider: string;
  readonly sub: string;
  readonly aud: string;
}

export type Statement = {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: unknown;
  Principal?: string | { Federated?: string | string[]; [k: string]: unknown };
  NotPrincipal?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
};

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** IAM's wildcard match: `*` any run of characters, `?` exactly one. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const re = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, caseInsensitive ? 'si' : 's');
  return re.test(value);
}

function conditionHolds(condition: Statement['Condition'], token: OidcToken): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    if (operator !== 'StringEquals' && operator !== 'StringLike') throw new Error(`condition operator ${operator} is not modelled`);
    for (const [key, expected] of Object.entries(keys)) {
      const claim = key.toLowerCase();
      const actual = claim === `${OIDC_HOST}:sub` ? token.sub : claim === `${OIDC_HOST}:aud` ? token.aud : undefined;
      if (actual === undefined) throw new Error(`condition key ${key} is not modelled`);
      const ok = list(expected).some((v) => (operator === 'StringEquals' ? v === actual : wildcardMatch(v, actual)));
      if (!ok) return false;
    }
  }
  return true;
}

function applies(s: Statement, token: OidcToken): boolean {
  if (s.NotAction !== undefined || s.NotPrincipal !== undefined) throw new Error('NotAction / NotPrincipal are not modelled');
  if (!list(s.Action).some((a) => wildcardMatch(a, 'sts:AssumeRoleWithWebIdentity', true))) return false;
  const principal = s.Principal === '*' || (typeof s.Principal === 'object' && list(s.Principal.Federated).includes(token.provider));
  return principal && conditionHolds(s.Condition, token);
}

/** Whether the trust policy lets this token assume the role. */
export function trustAllows(policy: { Statement: Statement | Statement[] }, token: OidcToken): boolean {
  const matching = list(policy.Statement).filter((s) => applies(s, token));
  return matching.some((s) => s.Effect === 'Allow') && !matching.some((s) => s.Effect === 'Deny');
}
