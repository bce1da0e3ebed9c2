import { createPrivateKey, createPublicKey, generateKeyPair, webcrypto, type KeyObject } from 'node:crypto';

export interface PemKeyPair {
  /** PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"). */
  privateKeyPem: string;
  /** SPKI PEM ("-----BEGIN PUBLIC KEY-----"). */
  publicKeyPem: string;
}

const pemEncoding = {
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
} as const;

function settle(resolve: (pair: PemKeyPair) => void, reject: (err: Error) => void) {
  return (err: Error | null, publicKeyPem: string, privateKeyPem: string) =>
    err ? reject(err) : resolve({ privateKeyPem, publicKeyPem });
}

/** ECDSA P-256: fast to generate, and accepted by Node's tls and by Go (kubectl) clients. */
export function generateEcP256KeyPair(): Promise<PemKeyPair> {
  return new Promise((resolve, reject) =>
    generateKeyPair('ec', { namedCurve: 'prime256v1', ...pemEncoding }, settle(resolve, reject)),
  );
}

/** RSA 2048, for service account tokens (RS256 is what every JWT library verifies). */
export function generateRsa2048KeyPair(): Promise<PemKeyPair> {
  return new Promise((resolve, reject) =>
    generateKeyPair(
      'rsa',
      { modulusLength: 2048, publicExponent: 0x10001, ...pemEncoding },
      settle(resolve, reject),
    ),
  );
}

export function parsePrivateKey(pem: string): KeyObject {
  return createPrivateKey({ key: pem, format: 'pem' });
}

export function publicKeyPemOf(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string;
}

/** The SubjectPublicKeyInfo DER of a key (private keys give their public half). */
export function spkiDerOf(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'der' });
}

export interface SigningKey {
  key: webcrypto.CryptoKey;
  algorithm: webcrypto.EcdsaParams | webcrypto.RsaHashedImportParams;
}

/**
 * Turns a PKCS#8 PEM private key into a WebCrypto signing key plus the signature algorithm to use with it.
 * Our own CA key is ECDSA P-256, but an operator-supplied RSA or P-384 CA works too.
 */
export async function importSigningKey(privateKeyPem: string): Promise<SigningKey> {
  const keyObject = parsePrivateKey(privateKeyPem);
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  const type = keyObject.asymmetricKeyType;
  if (type === 'ec') {
    const curve = keyObject.asymmetricKeyDetails?.namedCurve;
    const namedCurve = curve === 'secp384r1' ? 'P-384' : curve === 'prime256v1' ? 'P-256' : undefined;
    if (!namedCurve) throw new Error(`unsupported EC curve for a signing key: ${curve ?? 'unknown'}`);
    const hash = namedCurve === 'P-384' ? 'SHA-384' : 'SHA-256';
    const key = await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve }, false, [
      'sign',
    ]);
    return { key, algorithm: { name: 'ECDSA', hash } };
  }
  if (type === 'rsa') {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const key = await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
    return { key, algorithm };
  }
  throw new Error(`unsupported signing key type: ${type ?? 'unknown'}`);
}
