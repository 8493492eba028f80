// hnsw_lancedb.mjs: the LanceDB baseline of bench/hnsw.sh (@lancedb/lancedb 0.31.0, the
// package bench/lancedb/package.json pins, installed at bench time into bench/out/lancedb/).
//
//   node bench/hnsw_lancedb.mjs MODULES DIR N DIMS NQ M EFC EFS [NPROBES]
//
// MODULES: the directory holding node_modules/@lancedb/lancedb. Writes DIR/base.f32 as a
// Lance table (id INT32, vector FIXED_SIZE_LIST<FLOAT>[DIMS]) under DIR/lancedb/, builds
// its own index types on it and searches them one query at a time (await each query),
// printing the lines of bench/hnsw_common.h with the same measurement (fastest of 2 passes
// per query; recall@10 counted with the same tie rule, the exact scores from gt.bin):
//   IVF_HNSW_SQ, numPartitions 1 (one HNSW graph over int8 codes), m M, efConstruction
//     EFC, distance "cosine" (the rows are unit vectors: the same order as the inner
//     product; with distance "dot" this version's IVF_HNSW_SQ returned recall@10 0.08 to
//     0.16 on the clustered set where "cosine" and "l2" gave 0.94 to 0.98, so "dot" is not
//     used): contender lancedb_hnsw_sq, one search line per ef of EFS;
//   IVF_PQ (its defaults: sqrt(N) partitions, DIMS/16 sub-vectors), distance "cosine", when
//     NPROBES ("10,20,50") is given: contender lancedb_ivf_pq, "efc" 0, one line per
//     nprobes (in the ef column). bench/hnsw.sh asks for it only with
//     BENCH_HNSW_LANCE_IVFPQ=1: its training took 185 s on 20,000 x 768 here.
// LanceDB runs its own thread pool (every core) for builds and queries; the graph bytes
// printed are the index's files on disk. Times include the Node <-> native round trip a
// user of this package pays on every query.
import { createRequire } from "node:module";
import { readFileSync, readdirSync, statSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

const [modules, dir, nS, dimsS, nqS, mS, efcS, efsS, nprobesS] = process.argv.slice(2);
if (!efsS) {
    console.error("usage: node hnsw_lancedb.mjs MODULES DIR N DIMS NQ M EFC EFS [NPROBES]");
    process.exit(2);
}
const require = createRequire(join(resolve(modules), "package.json"));
const lancedb = require("@lancedb/lancedb");
const arrow = require("apache-arrow");
const [n, dims, nq, m, efc] = [nS, dimsS, nqS, mS, efcS].map(Number);
const K = 10, PASSES = 2;

function readF32(name, rows) {
    const buf = readFileSync(join(dir, name));
    if (buf.length < rows * dims * 4) throw new Error(`${name} is shorter than ${rows} x ${dims} floats`);
    return new Float32Array(buf.buffer, buf.byteOffset, rows * dims);
}
const base = readF32("base.f32", n);
const queries = readF32("queries.f32", nq);
const gtBuf = readFileSync(join(dir, "gt.bin"));
const gtFloor = new Float32Array(nq); // the 10th best exact score of each query
for (let i = 0; i < nq; i++)
    gtFloor[i] = gtBuf.readFloatLE(i * K * 8 + K * 4 + (K - 1) * 4) - 1e-5;

const dot = (a, ao, b, bo) => {
    let s = 0;
    for (let d = 0; d < dims; d++) s += a[ao + d] * b[bo + d];
    return s;
};
const now = () => Number(process.hrtime.bigint()) / 1e3; // µs
const pct = (v, p) => {
    const s = Float64Array.from(v).sort();
    return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
};
const dirBytes = (p) => {
    let t = 0;
    for (const e of readdirSync(p, { withFileTypes: true }))
        t += e.isDirectory() ? dirBytes(join(p, e.name)) : statSync(join(p, e.name)).size;
    return t;
};
const rss = () => process.memoryUsage().rss;

// The table: one record batch per 10,000 rows.
const vecType = new arrow.FixedSizeList(dims, new arrow.Field("item", new arrow.Float32(), true));
const schema = new arrow.Schema([
    new arrow.Field("id", new arrow.Int32(), false),
    new arrow.Field("vector", vecType, false),
]);
const batches = [];
for (let lo = 0; lo < n; lo += 10000) {
    const len = Math.min(10000, n - lo);
    const ids = new Int32Array(len).map((_, i) => lo + i);
    const child = arrow.makeData({ type: new arrow.Float32(), length: len * dims,
        data: base.subarray(lo * dims, (lo + len) * dims) });
    const vec = arrow.makeData({ type: vecType, length: len, nullCount: 0, child });
    const idd = arrow.makeData({ type: new arrow.Int32(), length: len, data: ids });
    const st = arrow.makeData({ type: new arrow.Struct(schema.fields), length: len, nullCount: 0,
        children: [idd, vec] });
    batches.push(new arrow.RecordBatch(schema, st));
}
const dbDir = join(dir, "lancedb");
rmSync(dbDir, { recursive: true, force: true });
const db = await lancedb.connect(dbDir);
let t0 = now();
const tbl = await db.createTable("base", new arrow.Table(schema, batches), { mode: "overwrite" });
const writeMs = (now() - t0) / 1e3;
console.error(`lancedb: table written in ${writeMs.toFixed(0)} ms`);

async function sweep(who, efcCol, settings, configure) {
    const lat = new Float64Array(nq);
    for (const s of settings) {
        const run = (i) => configure(tbl.query().nearestTo(queries.subarray(i * dims, (i + 1) * dims)), s)
            .distanceType("cosine").select(["id"]).limit(K).toArray();
        for (let i = 0; i < Math.min(5, nq); i++) await run(i);
        let right = 0;
        for (let pass = 0; pass < PASSES; pass++)
            for (let i = 0; i < nq; i++) {
                const t = now();
                const rows = await run(i);
                const us = now() - t;
                if (!pass || us < lat[i]) lat[i] = us;
                if (pass) continue;
                const seen = new Set();
                for (const r of rows.slice(0, K)) {
                    if (seen.has(r.id)) continue;
                    seen.add(r.id);
                    if (dot(base, r.id * dims, queries, i * dims) >= gtFloor[i]) right++;
                }
            }
        console.log(`search ${who} ${efcCol} ${s} ${(right / (nq * K)).toFixed(4)} ${pct(lat, 50).toFixed(1)} ${pct(lat, 99).toFixed(1)}`);
    }
}

async function build(who, efcCol, config) {
    const r0 = rss();
    const t = now();
    await tbl.createIndex("vector", { config, replace: true });
    const ms = (now() - t) / 1e3;
    const bytes = dirBytes(join(dbDir, "base.lance", "_indices"));
    console.log(`build ${who} ${efcCol} 0 ${ms.toFixed(1)} ${bytes} ${Math.max(0, rss() - r0)}`);
}

await build("lancedb_hnsw_sq", efc,
    lancedb.Index.hnswSq({ distanceType: "cosine", numPartitions: 1, m, efConstruction: efc }));
await sweep("lancedb_hnsw_sq", efc, efsS.split(",").map(Number), (q, ef) => q.ef(ef));
if (nprobesS) {
    await build("lancedb_ivf_pq", 0, lancedb.Index.ivfPq({ distanceType: "cosine" }));
    await sweep("lancedb_ivf_pq", 0, nprobesS.split(",").map(Number), (q, p) => q.nprobes(p));
}
