// What a user sees on hover: the public types named below, and each of their members, must carry TSDoc
// in the installed package's declarations. Run from the scratch project, with its TypeScript.
// Usage: node check-docs.mjs <app dir>
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const appDir = resolve(process.argv[2] ?? ".");
const ts = createRequire(join(appDir, "package.json"))("typescript");
const documented = {
  // with every member
  EventSourcing: true,
  EventSourcingConfig: true,
  EventEnvelope: true,
  ExecuteOptions: true,
  ExecuteResult: true,
  AggregateStats: true,
  Aggregate: true,
  Snapshot: true,
  SystemStats: true,
  QueryStats: true,
  Logger: true,
  Upcaster: true,
  NamedQuery: true,
  SnapshotConfig: true,
  // the declaration itself
  Handle: false,
  Apply: false,
  Query: false,
  QueryFn: false,
  Metadata: false,
};

const entry = join(appDir, "node_modules/eventsourcing/dist/index.d.ts");
const program = ts.createProgram([entry], {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
});
const checker = program.getTypeChecker();
const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry));
const exports = new Map(checker.getExportsOfModule(moduleSymbol).map((symbol) => [symbol.name, symbol]));
const text = (symbol) => ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
const missing = [];
for (const [name, withMembers] of Object.entries(documented)) {
  const exported = exports.get(name);
  if (!exported) {
    missing.push(`${name} (not exported)`);
    continue;
  }
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  if (!text(symbol)) missing.push(name);
  if (!withMembers) continue;
  for (const member of checker.getDeclaredTypeOfSymbol(symbol).getProperties())
    if (!text(member)) missing.push(`${name}.${member.name}`);
}
if (missing.length > 0) {
  console.error(`no TSDoc, so hover shows nothing, on: ${missing.join(", ")}`);
  process.exit(1);
}
console.log(`TSDoc present on ${Object.keys(documented).join(", ")}, and on the members of the interfaces`);
