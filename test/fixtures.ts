import { EmptyFileSystem, URI, type FileSystemNode, type FileSystemProvider } from 'langium';
import { validationHelper, type ValidationResult } from 'langium/test';
import { createFspecServices } from '../language-server/src/fspec-module.js';
import type { Spec } from '../language-server/src/generated/ast.js';

/** Folder of the document under test; approved versions go to `<folder>/.factory/approved/`. */
export const projectFolder = '/project';
export const documentUri = `file://${projectFolder}/app.fspec`;

/** Files held in memory, so the real `.factory/approved` lookup runs without touching the disk. */
export class InMemoryFileSystem implements FileSystemProvider {
    constructor(private readonly files: Map<string, string>) {}

    async stat(uri: URI): Promise<FileSystemNode> { return this.statSync(uri); }
    statSync(uri: URI): FileSystemNode {
        const isFile = this.files.has(uri.path);
        return { uri, isFile, isDirectory: !isFile };
    }
    async exists(uri: URI): Promise<boolean> { return this.existsSync(uri); }
    existsSync(uri: URI): boolean { return this.files.has(uri.path); }
    async readBinary(uri: URI): Promise<Uint8Array> { return this.readBinarySync(uri); }
    readBinarySync(uri: URI): Uint8Array { return new TextEncoder().encode(this.readFileSync(uri)); }
    async readFile(uri: URI): Promise<string> { return this.readFileSync(uri); }
    readFileSync(uri: URI): string {
        const text = this.files.get(uri.path);
        if (text === undefined) {
            throw new Error(`No such file: ${uri.path}`);
        }
        return text;
    }
    async readDirectory(): Promise<FileSystemNode[]> { return []; }
    readDirectorySync(): FileSystemNode[] { return []; }
}

/** Services over an in-memory file system holding `files` (absolute path → text). */
export function createTestServices(files: Record<string, string> = {}) {
    const fileSystem = new InMemoryFileSystem(new Map(Object.entries(files)));
    return createFspecServices({ ...EmptyFileSystem, fileSystemProvider: () => fileSystem });
}

/**
 * Validates `text` as `/project/app.fspec`; with `approved`, that text is the spec's last
 * approved version at `/project/.factory/approved/<name>.fspec`.
 */
export async function validate(text: string, options: { approved?: string } = {}): Promise<ValidationResult<Spec>> {
    const name = /spec\s+(\w+)/.exec(options.approved ?? text)?.[1] ?? 'App';
    const files = options.approved ? { [`${projectFolder}/.factory/approved/${name}.fspec`]: options.approved } : {};
    const services = createTestServices(files);
    return validationHelper<Spec>(services.Fspec)(text, { documentUri });
}

/** A valid spec: an identity plus the given sections. */
export function spec(sections = '', header = 'spec App version "1.0.0"'): string {
    return `${header} {
  identity {
    purpose "Track things"
    beneficiary Owner
  }
${sections}
}
`;
}
