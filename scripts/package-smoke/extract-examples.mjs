// Writes each ```ts block of the TSDoc @example sections in the given .d.ts files to its own module,
// so that tsc checks that the examples a user sees on hover compile against the package.
// Usage: node extract-examples.mjs <package dir> <output dir> <dist-relative .d.ts>...
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [packageDir, outDir, ...files] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });
const written = [];
for (const file of files) {
  const text = readFileSync(join(packageDir, "dist", file), "utf8");
  for (const comment of text.match(/\/\*\*[\s\S]*?\*\//g) ?? []) {
    const lines = comment.split("\n").map((line) => line.replace(/^\s*\/?\*+\/?\s?/, ""));
    const body = lines.join("\n");
    for (const [, code] of body.matchAll(/@example[\s\S]*?```ts\n([\s\S]*?)```/g)) {
      const name = `${file.replace(/\.d\.ts$/, "").replaceAll("/", "-")}-${written.length + 1}.ts`;
      writeFileSync(join(outDir, name), `// from dist/${file}\n${code}\nexport {};\n`);
      written.push(name);
    }
  }
}
if (written.length === 0) throw new Error(`no @example found in ${files.join(", ")}`);
console.log(`${written.length} examples extracted from ${files.length} declaration files`);
