import { describe, expect, test } from 'vitest';
import { compareVersions, versionOfTag } from '../../language-server/src/lineage/versions.js';

describe('version order', () => {
    test('numbers compare numerically, and a variant sorts after the version it grew from and before the next', () => {
        const shuffled = ['0.10.0', '0.2.0-b', '1.0.0', '0.9.0', '0.2.0', '0.2.1', '0.2.0-a', '0.2.0-a.10', '0.2.0-a.2'];
        expect([...shuffled].sort(compareVersions)).toEqual(['0.2.0', '0.2.0-a', '0.2.0-a.2', '0.2.0-a.10', '0.2.0-b', '0.2.1', '0.9.0', '0.10.0', '1.0.0']);
    });

    test('missing components count as zero', () => {
        expect(compareVersions('1.2', '1.2.0')).toBe(0);
        expect(compareVersions('1.2', '1.2.1')).toBeLessThan(0);
    });

    test('only the spec\'s own version tags name a version', () => {
        expect(versionOfTag('FarmOps', 'fspec/FarmOps/v0.2.0-a')).toBe('0.2.0-a');
        expect(versionOfTag('FarmOps', 'fspec/FarmOpsLite/v0.2.0')).toBeUndefined();
        expect(versionOfTag('FarmOps', 'fspec/FarmOps/vnext')).toBeUndefined();
    });
});
