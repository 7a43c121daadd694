/**
 * Writes a valid spec of about `lines` lines, shaped like a real one: every section present,
 * entities referenced by steps, panels and tests, gates enforcing guardrails. Deterministic,
 * so benchmark runs compare like with like.
 */
export function generateSpec(lines: number, options: { extraSources?: number } = {}): string {
    // One "module" (entity, pipeline, panel, guardrail, plate, test) is 15 lines.
    const modules = Math.max(1, Math.round((lines - 30) / 15));
    const out: string[] = [`spec Generated version "1.0.0" stage seed {`,
        '  identity {', '    purpose "Benchmark a large living app"', '    beneficiary Operator "Runs it"', '    prohibit change purpose', '  }',
        '  evidence_policy {', '    source base_feed "Base feed" tier high cadence daily provides Entity0'];
    for (let i = 0; i < (options.extraSources ?? 0); i++) {
        out.push(`    source extra_feed${i} tier medium cadence daily`);
    }
    out.push('  }', '  data_contracts {');
    for (let i = 0; i < modules; i++) {
        out.push(`    entity Entity${i} "Entity number ${i}" {`, '      name: string', '      amount: money', `      parent: Entity${Math.max(0, i - 1)}`, '      when: date', '    }');
    }
    out.push('  }', '  workflows {');
    for (let i = 0; i < modules; i++) {
        const next = Math.min(modules - 1, i + 1);
        out.push(`    pipeline flow${i} "Flow ${i}" trigger nightly {`,
            `      step load${i} reads Entity${i} output Entity${next}`,
            `      gate check${i} reads Entity${next} enforces rule${i}`,
            `      step rank${i} strategy priority reads Entity${next} output Entity${i}`,
            '    }');
    }
    out.push('  }', '  interface {', '    role Operator');
    for (let i = 0; i < modules; i++) {
        out.push(`    panel board${i} shows Entity${i} for Operator`);
    }
    out.push('  }', '  safety {');
    for (let i = 0; i < modules; i++) {
        out.push(`    guardrail rule${i} "Guardrail ${i}"`);
    }
    out.push('  }', '  growth_plates {', '    plate sources accepts add_source');
    for (let i = 0; i < modules; i++) {
        out.push(`    plate plate${i} accepts swap_allocator, insert_gate at flow${i}`);
    }
    out.push('  }', '  morph_rules {', '    rule add_source risk low', '    rule insert_gate risk medium requires test0', '    rule swap_allocator risk high requires test0 review human', '  }', '  acceptance {');
    for (let i = 0; i < modules; i++) {
        out.push(`    test test${i} "Flow ${i} holds" covers flow${i}.check${i}, rule${i}`);
    }
    out.push('  }', '  lineage {', '    stage seed "1.0.0"', '  }', '}', '');
    return out.join('\n');
}
