/**
 * The disk image formats ImportImage accepts, as a typed catalog (docs.aws.amazon.com/vm-import/latest/
 * userguide/prerequisites.html): a typo is a compile error and each format carries the DiskContainer
 * value the API expects.
 */

import { RehostError } from '../core/errors';
export type ImageFormatName = 'ova' | 'vmdk' | 'vhd' | 'vhdx' | 'raw';

export interface ImageFormat {
  readonly name: ImageFormatName;
  /** `DiskContainers[].Format` of ImportImage. */
  readonly diskContainerFormat: 'OVA' | 'VMDK' | 'VHD' | 'VHDX' | 'RAW';
  readonly description: string;
}

export const IMAGE_FORMATS: Readonly<Record<ImageFormatName, ImageFormat>> = {
  ova: { name: 'ova', diskContainerFormat: 'OVA', description: 'Open Virtualization Archive (an OVF package with its disks)' },
  vmdk: { name: 'vmdk', diskContainerFormat: 'VMDK', description: 'stream-optimized ESX VMDK' },
  vhd: { name: 'vhd', diskContainerFormat: 'VHD', description: 'Microsoft Hyper-V / Citrix Xen VHD' },
  vhdx: { name: 'vhdx', diskContainerFormat: 'VHDX', description: 'Microsoft Hyper-V VHDX' },
  raw: { name: 'raw', diskContainerFormat: 'RAW', description: 'raw disk image' },
};

export function parseImageFormat(value: string): ImageFormat {
  const f = (IMAGE_FORMATS as Record<string, ImageFormat | undefined>)[value.toLowerCase()];
  if (!f) {
    throw new VmImportInputError(`unknown image format "${value}": expected one of ${Object.keys(IMAGE_FORMATS).join(', ')}`);
  }
  return f;
}

const TIB = 1024 ** 4;

/**
 * VM Import limits on one image file (docs: "VM Import/Export limitations"): disks must be smaller
 * than 16 TiB, and disks over 8 TiB are only imported through a manifest file, which this
 * single-file path does not build.
 */
export const IMAGE_LIMITS = {
  maxDiskBytes: 16 * TIB,
  maxSingleFileBytes: 8 * TIB,
} as const;

/** A problem with the command's inputs, found before anything is uploaded (exit code 2). */
export class VmImportInputError extends RehostError {
  constructor(message: string) {
    super('invalid-input', message);
    this.name = 'VmImportInputError';
  }
}

/** Refuses an image that VM Import cannot take as a single file, with the limit it breaks. */
export function checkImageSize(path: string, size: number): void {
  const fmt = (n: number) => `${(n / TIB).toFixed(2)} TiB`;
  if (size === 0) throw new VmImportInputError(`${path} is empty: expected a disk image`);
  if (size >= IMAGE_LIMITS.maxDiskBytes) {
    throw new VmImportInputError(`${path} is ${fmt(size)}: VM Import takes disks smaller than 16 TiB`);
  }
  if (size > IMAGE_LIMITS.maxSingleFileBytes) {
    throw new VmImportInputError(
      `${path} is ${fmt(size)}: disks over 8 TiB must be imported with a manifest (ImportImage with a manifest URL), which this command does not build; split or shrink the disk`,
    );
  }
}
