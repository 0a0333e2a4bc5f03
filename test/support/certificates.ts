import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Test certificates made with the machine's openssl in `dir` (P-256, valid one day): a CA
 * (`name.pem`, `name.key`) and leaves it signs, with the extensions given as an openssl
 * extension file's text (`subjectAltName=…`, `extendedKeyUsage=…`).
 */
export function certificateMaker(dir: string): { ca: (name: string) => void; leaf: (name: string, cn: string, ca: string, extensions: string) => void } {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  return {
    ca: (name) =>
      openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${name}`,
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign',
        '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`)),
    leaf: (name, cn, ca, extensions) => {
      const ext = join(dir, `${name}.ext`);
      writeFileSync(ext, extensions);
      openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${cn}`,
        '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.csr`));
      openssl('x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', join(dir, `${ca}.pem`), '-CAkey', join(dir, `${ca}.key`),
        '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', join(dir, `${name}.pem`));
    },
  };
}
