/**
 * What an acceptance test's text names: enum values ("reserved", "Tuesday") and fields ("next
 * action" is `next_action`, "buyers" is `buyer`). Words are compared lower-case; a name's last
 * word may be plural; a snake_case name is its words in sequence.
 */

export const weekdayValues = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** The text's words, lower-case: runs of letters and digits. */
export function wordsOf(text: string): string[] {
    return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** Whether the words name the identifier: its parts in sequence, the last one perhaps plural. */
export function namesIn(words: readonly string[], name: string): boolean {
    const parts = name.toLowerCase().split(/_+/).filter(Boolean);
    if (parts.length === 0) {
        return false;
    }
    for (let i = 0; i + parts.length <= words.length; i++) {
        const fits = parts.every((part, j) => {
            const word = words[i + j];
            return word === part || (j === parts.length - 1 && (word === `${part}s` || word === `${part}es`));
        });
        if (fits) {
            return true;
        }
    }
    return false;
}

/** The values (in the given order) the words name. */
export function namedValues(words: readonly string[], values: readonly string[]): string[] {
    return values.filter(value => namesIn(words, value));
}
