/** What a wave run does to each server, in the words of the MGN console. */
export const MODES = ['test', 'cutover', 'finalize', 'revert', 'archive'] as const;
export type Mode = (typeof MODES)[number];

/** Modes that start MGN launch jobs. */
export const LAUNCH_MODES: ReadonlySet<Mode> = new Set(['test', 'cutover']);

/** Modes that change production and therefore run behind an approval in the workflow. */
export const PROTECTED_MODES: ReadonlySet<Mode> = new Set(['cutover', 'finalize', 'revert']);
