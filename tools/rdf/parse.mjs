// Parses the catalogue in both serialisations with real RDF parsers and prints their triples as JSON, one object per
// serialisation: {"rdfxml": [...], "jsonld": [...]}, each triple {s, p, o, kind, lang, datatype} with kind "iri",
// "literal" or "blank". Used by Tests/OpenData; run as: node parse.mjs catalog.rdf catalog.jsonld
import { readFileSync } from 'node:fs';
import { RdfXmlParser } from 'rdfxml-streaming-parser';
import jsonld from 'jsonld';

const term = t => t.termType === 'NamedNode' ? { kind: 'iri', value: t.value }
  : t.termType === 'BlankNode' ? { kind: 'blank', value: t.value }
  : { kind: 'literal', value: t.value, lang: t.language || null, datatype: t.datatype?.value ?? null };

function parseRdfXml(text) {
  return new Promise((resolve, reject) => {
    const quads = [];
    const parser = new RdfXmlParser({ strict: true });
    parser.on('data', q => quads.push(q)).on('error', reject).on('end', () => resolve(quads));
    parser.write(text);
    parser.end();
  });
}

async function parseJsonLd(text) {
  // No remote contexts: the document carries its own, and nothing may be fetched.
  const documentLoader = url => { throw new Error(`no remote documents (${url})`); };
  return jsonld.toRDF(JSON.parse(text), { documentLoader, safe: true });
}

const flat = q => ({ s: term(q.subject), p: q.predicate.value, o: term(q.object) });
const [rdfxml, json] = process.argv.slice(2).map(f => readFileSync(f, 'utf8'));
const out = { rdfxml: (await parseRdfXml(rdfxml)).map(flat), jsonld: (await parseJsonLd(json)).map(flat) };
process.stdout.write(JSON.stringify(out));
