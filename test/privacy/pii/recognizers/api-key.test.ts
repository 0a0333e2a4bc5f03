import { describe, expect, it } from 'vitest';
import { generateApiKey } from '../../../../src/identity/api-keys/api-key-format.js';
import { apiKeyRecognizer } from '../../../../src/privacy/pii/recognizers/api-key.js';

const values = (text: string): string[] => apiKeyRecognizer.find(text).map((f) => text.slice(f.start, f.end));

// Tokens are assembled at run time so that secret scanners do not flag this file.
const base62 = (length: number): string =>
  Array.from({ length }, (_, i) => '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'[(i * 37 + 11) % 62]).join('');
const hex = (length: number): string => Array.from({ length }, (_, i) => '0123456789abcdef'[(i * 7 + 3) % 16]).join('');
const letters = (length: number): string => Array.from({ length }, (_, i) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'[(i * 29 + 5) % 52]).join('');
const digits = (length: number): string => Array.from({ length }, (_, i) => String((i * 3 + 1) % 10)).join('');

// AWS's documented example access key id (IAM user guide).
const AWS_EXAMPLE = ['AKIA', 'IOSFODNN7EXAMPLE'].join('');
// The example token shown on jwt.io (HS256, {"sub":"1234567890","name":"John Doe","iat":1516239022}).
const JWT_IO = [
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
  'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ',
  'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
].join('.');

const TOKENS: readonly [kind: string, token: string][] = [
  ['AWS access key id', AWS_EXAMPLE],
  ['AWS temporary key id', `ASIA${'Y34FZKBOKMUTVV7A'}`],
  ['GitHub classic token', `ghp_${base62(36)}`],
  ['GitHub app token', `ghs_${base62(36)}`],
  ['GitHub fine-grained token', `github_pat_${base62(22)}_${base62(59)}`],
  ['Slack bot token', `xoxb-${'123456789012'}-${'1234567890123'}-${base62(24)}`],
  ['Slack app token', `xapp-1-A0123456789-${'1234567890123'}-${hex(64)}`],
  ['Stripe secret key', `sk_live_${base62(24)}`],
  ['Stripe restricted key', `rk_live_${base62(24)}`],
  ['Google API key', `AIza${base62(35)}`],
  ['OpenAI project key', `sk-proj-${base62(48)}`],
  ['OpenAI legacy key', `sk-${base62(20)}T3BlbkFJ${base62(20)}`],
  ['Anthropic key', `sk-ant-api03-${base62(93)}AA`],
  ['GitLab token', `glpat-${base62(20)}`],
  ['npm token', `npm_${base62(36)}`],
  ['SendGrid key', `SG.${base62(22)}.${base62(43)}`],
  ['Twilio API key', `SK${hex(32)}`],
  ['JWT', JWT_IO],
  ['Hugging Face token', `hf_${letters(34)}`],
  ['Docker Hub token', `dckr_pat_${base62(27)}`],
  ['Shopify admin token', `shpat_${hex(32)}`],
  ['DigitalOcean token', `dop_v1_${hex(64)}`],
  ['PyPI token', `pypi-AgEIcHlwaS5vcmc${base62(70)}`],
  ['Groq key', `gsk_${base62(52)}`],
  ['Replicate token', `r8_${base62(37)}`],
  ['Linear key', `lin_api_${base62(40)}`],
  ['Postman key', `PMAK-${hex(24)}-${hex(34)}`],
  ['Google OAuth client secret', `GOCSPX-${base62(28)}`],
];

describe('apiKeyRecognizer', () => {
  it('finds a token with exact offsets', () => {
    const text = `export AWS_ACCESS_KEY_ID=${AWS_EXAMPLE}\n`;
    const [finding] = apiKeyRecognizer.find(text);
    expect(finding).toMatchObject({ start: 25, end: 45, type: 'api_key', recognizer: 'api_key.known_format' });
  });

  it.each(TOKENS)('finds a %s', (_kind, token) => {
    expect(values(`token: "${token}" end`)).toEqual([token]);
  });

  it('finds our own keys only when their checksum is right', () => {
    const { key } = generateApiKey({ environment: 'live' });
    const [finding] = apiKeyRecognizer.find(`Authorization: Bearer ${key}`);
    expect(finding?.score).toBe(1);
    expect(values(`Bearer ${key}`)).toEqual([key]);
    const last = key.at(-1) === 'a' ? 'b' : 'a';
    expect(values(`Bearer ${key.slice(0, -1)}${last}`)).toEqual([]);
    expect(values(`lt_test_${generateApiKey({ environment: 'test' }).key.slice(8)}`)).toHaveLength(1);
  });

  it('finds a whole PEM private key block', () => {
    const pem = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn', 'kmR1bGy2aXKp1N5kb9Qn', '-----END RSA PRIVATE KEY-----'].join('\n');
    const text = `key:\n${pem}\nnext`;
    expect(values(text)).toEqual([pem]);
    const openssh = ['-----BEGIN OPENSSH PRIVATE KEY-----', 'b3BlbnNzaC1rZXktdjEAAAAA', '-----END OPENSSH PRIVATE KEY-----'].join('\n');
    expect(values(openssh)).toEqual([openssh]);
  });

  it('finds only the password of a connection string', () => {
    const text = 'DATABASE_URL=postgres://app_user:Xk9#mP2vQ@db.internal:5432/app';
    expect(values(text)).toEqual(['Xk9#mP2vQ']);
    expect(values('mongodb+srv://admin:hunter2@cluster0.example.net/test')).toEqual(['hunter2']);
    expect(values('redis://:s3cr3tpass@cache:6379')).toEqual(['s3cr3tpass']); // Redis: password without user
  });

  it('takes a URL password up to the last @ before the host, as URL parsers split userinfo', () => {
    expect(values('DATABASE_URL=postgres://admin:p@ssw0rd!2024@db.internal:5432/app')).toEqual(['p@ssw0rd!2024']);
    expect(values('postgres://admin:S3cr3t@Pa55@db.internal/app')).toEqual(['S3cr3t@Pa55']);
    // Azure Database for PostgreSQL user names hold an @: the user runs to the first `:`
    expect(values('postgres://admin@myserver:Zx9!q@Lm2@myserver.postgres.database.azure.com/db')).toEqual(['Zx9!q@Lm2']);
    // an @ in the path, query or fragment is not the userinfo's; nor one past a blank
    expect(values('https://bob:Hx7!rT2@host.internal/users/a@b.com')).toEqual(['Hx7!rT2']);
    expect(values('https://bob:Hx7!rT2@host.internal?next=a@b.com')).toEqual(['Hx7!rT2']);
    expect(values('https://bob:Hx7!rT2@host.internal#a@b')).toEqual(['Hx7!rT2']);
    expect(values('redis://:s3cr3tpass@cache:6379 then mail ops@corp.example')).toEqual(['s3cr3tpass']);
    expect(values('https://host.internal:8443/login and bob@corp.example')).toEqual([]);
  });

  it('reads a long line of URLs with many @ in linear time', () => {
    const line = `${'s://u:p@q#x@y'.repeat(200_000)} postgres://admin:p@ss@db/app`;
    const started = performance.now();
    expect(values(line).at(-1)).toBe('p@ss');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('refuses placeholder passwords in example connection strings', () => {
    expect(values('postgres://user:${DB_PASSWORD}@localhost/db')).toEqual([]);
    expect(values('mysql://root:<password>@localhost/db and amqp://guest:****@rabbit')).toEqual([]);
  });

  it('finds only the password or account key in key=value connection strings', () => {
    expect(values('Server=db.internal;Database=app;User ID=admin;Password=Tr0ub4dor&3;')).toEqual(['Tr0ub4dor&3']); // ADO.NET
    expect(values('DRIVER={ODBC Driver 18 for SQL Server};SERVER=db;UID=sa;PWD=Passw0rd!;')).toEqual(['Passw0rd!']); // ODBC
    expect(values('Driver={PostgreSQL};Server=db;Uid=app;Pwd={p@ss;w0rd};')).toEqual(['p@ss;w0rd']); // ODBC braced
    expect(values('var cs = "Data Source=db; Initial Catalog=app; password = S3cr3t!x";')).toEqual(['S3cr3t!x']);
    expect(values('jdbc:sqlserver://db:1433;databaseName=app;user=sa;password=Zq8!mK2p;')).toEqual(['Zq8!mK2p']);
    expect(values('url: jdbc:mysql://db:3306/app?user=root&password=Sup3rS3cret')).toEqual(['Sup3rS3cret']); // query string
    // a `#` in a query-string password is the password's, not a fragment: cut there, the rest stayed in clear
    expect(values('jdbc:mysql://db:3306/app?user=app&password=Zx!9@q#Lm2$')).toEqual(['Zx!9@q#Lm2$']);
    expect(values('jdbc:mysql://db/app?password=Zx#9q&user=app')).toEqual(['Zx#9q']);
    expect(values('Server=db;User ID=sa;Password=Zx!9@q#Lm2$;')).toEqual(['Zx!9@q#Lm2$']);
    expect(values('GET /login?user=bob&pwd=hunter22&next=/ HTTP/1.1')).toEqual(['hunter22']);
    const accountKey = `${base62(86)}==`;
    const azure = `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${accountKey};EndpointSuffix=core.windows.net`;
    expect(values(azure)).toEqual([accountKey]);
    const busKey = `${base62(43)}=`;
    expect(values(`Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=${busKey}`)).toEqual([busKey]);
  });

  it('finds an AWS secret access key after its label only', () => {
    const secret = ['wJalrXUtnFEMI', 'K7MDENG', 'bPxRfiCYEXAMPLEKEY'].join('/'); // AWS's documented example
    expect(values(`AWS_SECRET_ACCESS_KEY=${secret}`)).toEqual([secret]);
    expect(values(`[default]\naws_secret_access_key = ${secret}\n`)).toEqual([secret]);
    expect(values(`{"AccessKeyId": "x", "SecretAccessKey": "${secret}"}`)).toEqual([secret]);
    expect(values(`secret: ${secret}`)).toEqual([]); // no AWS label: 40 base64 characters are anything
    expect(values(`AWS_SECRET_ACCESS_KEY=${'x'.repeat(40)}`)).toEqual([]);
  });

  it('refuses placeholders and prose around key=value passwords', () => {
    expect(values('set the Password= field in the form')).toEqual([]);
    expect(values('Server=db;User ID=sa;Password=<your password>;')).toEqual([]);
    expect(values('Server=db;User ID=sa;Password=;Database=app')).toEqual([]); // empty
    expect(values('Server=db;User Id=sa;Password=${DB_PASSWORD};')).toEqual([]);
    expect(values('Server=db;User Id=sa;Password=****;')).toEqual([]);
    expect(values('Server=db;User Id=sa;Password={0};')).toEqual([]); // format field
    expect(values('Server=db;User Id=sa;Password=changeme;')).toEqual([]); // published default
    expect(values('Server=db;User Id=sa;Password=password;')).toEqual([]);
    expect(values('"Server=db;User Id=sa;Password=" + password + ";"')).toEqual([]); // built in code
    expect(values('?user=root&password=%s')).toEqual([]);
    expect(values('run pwd to print the directory; PWD=/home/me;OLDPWD=/tmp')).toEqual([]);
    expect(values('use password=hunter2 to log in')).toEqual([]); // no connection string around it
    expect(values('DB_PASSWORD=hunter2;DB_USER=app')).toEqual([]); // an environment variable, not a connection-string key
  });

  it('refuses public keys, certificates and truncated or malformed tokens', () => {
    expect(values('-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqh\n-----END PUBLIC KEY-----')).toEqual([]);
    expect(values('-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA (truncated)')).toEqual([]);
    expect(values(`ghp_${base62(35)} and ghp_${base62(37)}`)).toEqual([]);
    expect(values(`AKIA${'IOSFODNN7EXAMPL'} and akia${'iosfodnn7example'}`)).toEqual([]);
    expect(values('sk-learn and sk-ant and sk_live_short')).toEqual([]);
  });

  it("finds the path of a Slack or Discord webhook URL, the part that is the secret", () => {
    const slack = `hooks.slack.com/services/T${'0123ABCD'}/B${'4567EFGH'}/${base62(24)}`;
    const discord = `discord.com/api/webhooks/${digits(18)}/${base62(68)}`;
    expect(values(`curl -X POST https://${slack} -d @msg.json; and https://${discord}`)).toEqual([slack, discord]);
  });

  it('refuses provider prefixes with a body of the wrong length or alphabet', () => {
    expect(values(`hf_${letters(33)} hf_${letters(35)} hf_${base62(34)}`)).toEqual([]);
    expect(values(`shpat_${hex(31)} dop_v1_${hex(63)} gsk_${base62(51)} r8_${base62(36)} PMAK-${hex(24)}-${hex(33)}`)).toEqual([]);
    expect(values('pypi-AgEIcHlwaS5vcmc and hooks.slack.com/services/T0123/B4567/short')).toEqual([]);
  });

  it('refuses JWT-shaped strings whose header is not a JOSE header', () => {
    const notJson = `eyJ${base62(20)}.eyJ${base62(20)}.${base62(30)}`;
    expect(values(notJson)).toEqual([]);
  });

  it('scores by format specificity', () => {
    const [twilio] = apiKeyRecognizer.find(`SK${hex(32)}`);
    const [sendgrid] = apiKeyRecognizer.find(`SG.${base62(22)}.${base62(43)}`);
    expect(twilio?.score).toBeLessThan(sendgrid?.score ?? 0);
  });
});
