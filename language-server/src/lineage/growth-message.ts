/**
 * The message of a growth commit and its tag: the Historian's message, then git trailers with
 * the stage and one line per applied morph, readable in `git log` and parsed back by `versions()`.
 *
 *     Reserve Tuesday contracts first
 *
 *     Fspec-Stage: juvenile
 *     Fspec-Morph: add_source contracts_feed
 *
 * A rollback's message has `Fspec-Rollback: 0.3.0 -> 0.2.0` instead of morphs.
 */
export interface GrowthSummary {
    /** The Historian's message without the trailers. */
    message: string;
    stage?: string;
    /** Applied morphs as written in the lineage section: `add_source contracts_feed`. */
    morphs: string[];
    /** For a rollback: the version it left and the version it restored. */
    rollback?: { from: string, to: string };
}

const stageKey = 'Fspec-Stage';
const morphKey = 'Fspec-Morph';
const rollbackKey = 'Fspec-Rollback';

export function growthMessage({ message, stage, morphs, rollback }: GrowthSummary): string {
    // A trailer is one line: whitespace runs (newlines included) become one space.
    const oneLine = (text: string) => text.trim().replace(/\s+/g, ' ');
    const trailers = [
        ...(stage ? [`${stageKey}: ${oneLine(stage)}`] : []),
        ...morphs.map(morph => `${morphKey}: ${oneLine(morph)}`),
        ...(rollback ? [`${rollbackKey}: ${rollback.from} -> ${rollback.to}`] : [])
    ];
    return trailers.length ? `${message.trim()}\n\n${trailers.join('\n')}\n` : `${message.trim()}\n`;
}

/** Reads a message written by `growthMessage`; a message without trailers is all message. */
export function readGrowthMessage(text: string): GrowthSummary {
    const trimmed = text.trim();
    const lastBreak = trimmed.lastIndexOf('\n\n');
    const lines = trimmed.slice(lastBreak + 2).split('\n');
    const trailer = /^(Fspec-[A-Za-z]+): (.*)$/;
    if (lastBreak < 0 || !lines.every(line => trailer.test(line))) {
        return { message: trimmed, morphs: [] };
    }
    const values = (key: string) => lines.map(line => trailer.exec(line)!).filter(m => m[1] === key).map(m => m[2]!);
    const [stage] = values(stageKey);
    const rollback = /^(\S+) -> (\S+)$/.exec(values(rollbackKey)[0] ?? '');
    return {
        message: trimmed.slice(0, lastBreak), ...(stage ? { stage } : {}), morphs: values(morphKey),
        ...(rollback ? { rollback: { from: rollback[1]!, to: rollback[2]! } } : {})
    };
}
