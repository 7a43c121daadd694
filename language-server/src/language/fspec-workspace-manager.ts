import { DefaultWorkspaceManager, type FileSystemNode } from 'langium';

/**
 * `.factory/` holds approved versions, runs and builds: those copies must not be loaded as
 * workspace documents, or every approved spec would shadow the one being edited.
 */
export class FspecWorkspaceManager extends DefaultWorkspaceManager {
    override shouldIncludeEntry(entry: FileSystemNode): boolean {
        return !entry.uri.path.split('/').includes('.factory') && super.shouldIncludeEntry(entry);
    }
}
