import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Files are encrypted before they leave the process (AES-256-GCM), so the bucket or directory holds only
 * ciphertext: `CVD1` | 12-byte IV | ciphertext | 16-byte tag. The storage key is the additional authenticated data,
 * so a blob copied under another key does not decrypt.
 */
const MAGIC = Buffer.from('CVD1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The 32-byte key for documents, derived from the configured secret (one purpose per key, like auth's keys). */
export function documentKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'cryptovault', 'documents-at-rest v1', 32));
}

export function seal(key: Buffer, storageKey: string, plaintext: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(storageKey, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([MAGIC, iv, ct, cipher.getAuthTag()]);
}

export function open(key: Buffer, storageKey: string, sealed: Uint8Array): Buffer {
  const buf = Buffer.from(sealed);
  if (buf.length < MAGIC.length + IV_BYTES + TAG_BYTES || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error(`stored document ${storageKey} is not in the document store's format`);
  }
  const iv = buf.subarray(MAGIC.length, MAGIC.length + IV_BYTES);
  const tag = buf.subarray(buf.length - TAG_BYTES);
  const ct = buf.subarray(MAGIC.length + IV_BYTES, buf.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(storageKey, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ct), decipher.final()]);
}
