/**
 * The boot modes the factory's (always encrypted) ImportImage can take. ImportImage's BootMode lists
 * legacy-bios, uefi and uefi-preferred, but VM Import cannot encrypt a UEFI import, and the EC2 API
 * reference says uefi-preferred "isn't supported for importing images". So only legacy-bios can be
 * asked for; without a boot mode VM Import detects it from the image.
 */
export const IMPORT_BOOT_MODES = ['legacy-bios'] as const;
export type ImportBootMode = (typeof IMPORT_BOOT_MODES)[number];

/** Why a boot mode cannot be used, in words; undefined when it can. */
export function bootModeRefusal(value: unknown): string | undefined {
  if ((IMPORT_BOOT_MODES as readonly unknown[]).includes(value)) return undefined;
  const instead = 'leave the boot mode out (VM Import detects it from the image) or use legacy-bios';
  if (value === 'uefi') {
    return `VM Import cannot encrypt UEFI imports and the factory always encrypts with the target key: ${instead}; a UEFI-only image has to be imported unencrypted outside the factory and re-encrypted with CopyImage`;
  }
  if (value === 'uefi-preferred') return `ImportImage does not support uefi-preferred (EC2 API reference, ImportImage BootMode): ${instead}`;
  return `expected legacy-bios (or no boot mode: VM Import detects it from the image)`;
}
