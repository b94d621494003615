/** [REG-5.3] nodeType, one-hot uint32 little-endian at offset 80. */
export const NODE_TYPES = { none: 1, device: 2, fog: 4, cloud: 8 } as const;
/** [REG-5.3] nodeArch, one-hot uint32 little-endian at offset 84. */
export const NODE_ARCHS = { none: 1, x86_ubuntu: 2, rpi_linux: 4, wsl: 8, macos: 16, esp_32: 32 } as const;

export type NodeTypeName = keyof typeof NODE_TYPES;
export type NodeArchName = keyof typeof NODE_ARCHS;

const TYPE_CODES = new Set<number>(Object.values(NODE_TYPES));
const ARCH_CODES = new Set<number>(Object.values(NODE_ARCHS));

export function isNodeTypeCode(code: number): boolean {
  return TYPE_CODES.has(code);
}

export function isNodeArchCode(code: number): boolean {
  return ARCH_CODES.has(code);
}
