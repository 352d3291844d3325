// Entry point of the `kiln` command line.
export async function main(argv: readonly string[]): Promise<void> {
  console.log(`kiln: usage: kiln inspect|run MODEL ... (${argv.join(' ')})`);
}
