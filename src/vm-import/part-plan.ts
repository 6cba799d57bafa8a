/** S3 multipart limits (docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html). */
export const MULTIPART_LIMITS = {
  minPartBytes: 5 * 1024 ** 2,
  maxPartBytes: 5 * 1024 ** 3,
  maxParts: 10_000,
} as const;

export interface PartPlan {
  readonly partSize: number;
  readonly partCount: number;
}

export interface PartRange {
  readonly partNumber: number;
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

/**
 * The smallest part size (a whole number of MiB, at least `minPartBytes`) that keeps the upload within
 * `maxParts` parts. Small parts make a resume lose little; the part limit forces larger ones for large
 * images (a 1 TiB image gets 105 MiB parts).
 */
export function choosePartSize(fileSize: number, options: { minPartBytes?: number; maxParts?: number } = {}): PartPlan {
  const minPart = Math.max(options.minPartBytes ?? MULTIPART_LIMITS.minPartBytes, MULTIPART_LIMITS.minPartBytes);
  const maxParts = Math.min(options.maxParts ?? MULTIPART_LIMITS.maxParts, MULTIPART_LIMITS.maxParts);
  const mib = 1024 ** 2;
  const needed = Math.ceil(fileSize / maxParts / mib) * mib;
  const partSize = Math.max(minPart, needed);
  if (partSize > MULTIPART_LIMITS.maxPartBytes) {
    throw new Error(`a ${fileSize}-byte file needs parts of ${partSize} bytes, above the S3 limit of 5 GiB per part`);
  }
  return { partSize, partCount: Math.max(1, Math.ceil(fileSize / partSize)) };
}

export function partRange(plan: PartPlan, fileSize: number, partNumber: number): PartRange {
  const start = (partNumber - 1) * plan.partSize;
  return { partNumber, start, end: Math.min(start + plan.partSize, fileSize) };
}
