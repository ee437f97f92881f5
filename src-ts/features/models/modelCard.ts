/**
 * Model cards (README.md of a model repository).
 */

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n[\s\S]*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

/**
 * The card without its leading YAML metadata block (`---\nlicense: …\n---`),
 * which Hugging Face shows as tags rather than text.
 */
export function stripFrontMatter(markdown: string): string {
  return markdown.replace(FRONT_MATTER, '').replace(/^\s+/, '');
}
