import * as fs from 'node:fs';
import * as path from 'node:path';
import defaultCrewDot from './crew.dot';
import { DotParseError, parseDot, type PipelineGraph } from './engine/index.js';

/** Where the crew's pipeline comes from: a workspace's own `.factory/crew.dot`, or the one shipped with the server. */
export interface CrewPipelineSource {
    text: string;
    /** The override file, or `built-in crew.dot`. */
    location: string;
}

/** A crew.dot that cannot be used, with where it is and what is wrong. */
export class CrewPipelineError extends Error {}

/** The nearest `.factory/crew.dot` from the spec's folder up, else the built-in pipeline. */
export function crewPipelineSource(specPath: string): CrewPipelineSource {
    for (let folder = path.dirname(path.resolve(specPath)); ; folder = path.dirname(folder)) {
        const candidate = path.join(folder, '.factory', 'crew.dot');
        if (fs.existsSync(candidate)) {
            return { text: fs.readFileSync(candidate, 'utf8'), location: candidate };
        }
        if (path.dirname(folder) === folder) {
            return { text: defaultCrewDot, location: 'built-in crew.dot' };
        }
    }
}

export function parseCrewPipeline(source: CrewPipelineSource): PipelineGraph {
    try {
        return parseDot(source.text);
    } catch (error) {
        if (error instanceof DotParseError) {
            throw new CrewPipelineError(`${source.location}: ${error.message}`);
        }
        throw error;
    }
}
