/**
 * AWS's naming rules for the resources the stacks create from the estate (docs/estate-limits.md):
 * a name AWS would refuse at apply time is refused where the estate is read, at the field it comes from.
 */

export type NamedService =
  | 's3-bucket'
  | 'iam-role'
  | 'iam-policy'
  | 'kms-alias'
  | 'kms-grant'
  | 'ssm-document'
  | 'ssm-parameter'
  | 'state-machine'
  | 'log-group'
  | 'security-group'
  | 'lambda-function'
  | 'sns-topic'
  | 'sqs-queue'
  | 'dynamodb-table'
  | 'eventbridge-rule'
  | 'cloudwatch-alarm'
  | 'cloudformation-stack'
  | 'resolver-endpoint';

interface NameRule {
  /** The resource in words, as messages name it. */
  readonly what: string;
  readonly min: number;
  readonly max: number;
  /** Allowed characters, one at a time. */
  readonly char: RegExp;
  readonly chars: string;
  /** Further rules: why the name is refused, or undefined. */
  readonly extra?: (name: string) => string | undefined;
}

const IAM_CHAR = /[\w+=,.@-]/;
const IAM_CHARS = 'letters, digits and + = , . @ _ -';

const RULES: Record<NamedService, NameRule> = {
  's3-bucket': {
    what: 'S3 bucket name',
    min: 3,
    max: 63,
    char: /[a-z0-9.-]/,
    chars: 'lowercase letters, digits, dots and hyphens',
    extra: (n) => {
      if (!/^[a-z0-9].*[a-z0-9]$/.test(n)) return 'it must begin and end with a letter or digit';
      if (n.includes('..')) return 'it must not contain two adjacent dots';
      if (/^\d+\.\d+\.\d+\.\d+$/.test(n)) return 'it must not look like an IP address';
      const prefix = ['xn--', 'sthree-', 'amzn-s3-demo-'].find((p) => n.startsWith(p));
      if (prefix) return `the prefix "${prefix}" is reserved`;
      const suffix = ['-s3alias', '--ol-s3', '.mrap', '--x-s3'].find((s) => n.endsWith(s));
      if (suffix) return `the suffix "${suffix}" is reserved`;
      return undefined;
    },
  },
  'iam-role': { what: 'IAM role name', min: 1, max: 64, char: IAM_CHAR, chars: IAM_CHARS },
  'iam-policy': { what: 'IAM policy name', min: 1, max: 128, char: IAM_CHAR, chars: IAM_CHARS },
  'kms-alias': {
    what: 'KMS alias',
    min: 1,
    max: 256,
    char: /[a-zA-Z0-9/_-]/,
    chars: 'letters, digits, / _ -',
    extra: (n) => (!n.startsWith('alias/') ? 'it must start with "alias/"' : n.startsWith('alias/aws/') ? 'the prefix "alias/aws/" is reserved for AWS managed keys' : undefined),
  },
  'kms-grant': { what: 'KMS grant name', min: 1, max: 256, char: /[a-zA-Z0-9:/_-]/, chars: 'letters, digits, : / _ -' },
  'ssm-document': {
    what: 'SSM document name',
    min: 3,
    max: 128,
    char: /[a-zA-Z0-9_.-]/,
    chars: 'letters, digits, _ . -',
    extra: (n) => {
      const prefix = ['aws', 'amazon', 'amzn'].find((p) => n.toLowerCase().startsWith(p));
      return prefix ? `the prefix "${n.slice(0, prefix.length)}" is reserved by AWS for its own documents` : undefined;
    },
  },
  'ssm-parameter': {
    what: 'Parameter Store name',
    min: 1,
    max: 1011,
    char: /[a-zA-Z0-9_.\-/]/,
    chars: 'letters, digits, _ . - and / between levels',
    extra: (n) => {
      const first = n.replace(/^\//, '').toLowerCase();
      if (first.startsWith('aws') || first.startsWith('ssm')) return 'names starting with "aws" or "ssm" are reserved';
      return n.split('/').filter(Boolean).length > 15 ? 'it is more than 15 levels deep' : undefined;
    },
  },
  'state-machine': { what: 'Step Functions state machine name', min: 1, max: 80, char: /[a-zA-Z0-9_-]/, chars: 'letters, digits, - and _ (the names CloudWatch logging accepts)' },
  'log-group': { what: 'CloudWatch Logs group name', min: 1, max: 512, char: /[a-zA-Z0-9_.\-/#]/, chars: 'letters, digits, _ . - / #' },
  'security-group': {
    what: 'security group name',
    min: 1,
    max: 255,
    char: /[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]/,
    chars: 'letters, digits, spaces and . _ - : / ( ) # , @ [ ] + = & ; { } ! $ *',
    extra: (n) => (n.toLowerCase().startsWith('sg-') ? 'it must not start with "sg-" (the prefix of security group IDs)' : undefined),
  },
  'lambda-function': { what: 'Lambda function name', min: 1, max: 64, char: /[a-zA-Z0-9_-]/, chars: 'letters, digits, - and _' },
  'sns-topic': { what: 'SNS topic name', min: 1, max: 256, char: /[a-zA-Z0-9_-]/, chars: 'letters, digits, - and _' },
  'sqs-queue': { what: 'SQS queue name', min: 1, max: 80, char: /[a-zA-Z0-9_-]/, chars: 'letters, digits, - and _' },
  'dynamodb-table': { what: 'DynamoDB table name', min: 3, max: 255, char: /[a-zA-Z0-9_.-]/, chars: 'letters, digits, _ . -' },
  'eventbridge-rule': { what: 'EventBridge rule name', min: 1, max: 64, char: /[a-zA-Z0-9_.-]/, chars: 'letters, digits, _ . -' },
  'cloudwatch-alarm': { what: 'CloudWatch alarm name', min: 1, max: 255, char: /[^\u0000-\u001f\u007f]/u, chars: 'printable characters' },
  'cloudformation-stack': {
    what: 'CloudFormation stack name',
    min: 1,
    max: 128,
    char: /[a-zA-Z0-9-]/,
    chars: 'letters, digits and hyphens',
    extra: (n) => (/^[a-zA-Z]/.test(n) ? undefined : 'it must start with a letter'),
  },
  'resolver-endpoint': {
    what: 'Route 53 Resolver endpoint name',
    min: 1,
    max: 64,
    char: /[a-zA-Z0-9 _-]/,
    chars: 'letters, digits, spaces, - and _',
    extra: (n) => (/^\d+$/.test(n) ? 'it must not be only digits' : undefined),
  },
};

/** The resource a name is for, in words (e.g. "S3 bucket name"). */
export function nameWhat(service: NamedService): string {
  return RULES[service].what;
}

/** Why AWS would refuse `name` for `service`, or undefined. Lengths are in characters. */
export function nameProblem(service: NamedService, name: string): string | undefined {
  const rule = RULES[service];
  const shown = JSON.stringify(name);
  const n = [...name].length;
  if (n > rule.max) return `${rule.what} ${shown} has ${n} characters; AWS allows ${rule.max}`;
  if (n < rule.min) return `${rule.what} ${shown} has ${n} characters; AWS needs at least ${rule.min}`;
  for (const ch of name) {
    if (!rule.char.test(ch)) return `${rule.what} ${shown} contains ${JSON.stringify(ch)}; AWS allows ${rule.chars}`;
  }
  const extra = rule.extra?.(name);
  return extra ? `${rule.what} ${shown} is refused by AWS: ${extra}` : undefined;
}
