/*
 * floor.c: the physical floor of report intake on SQLite.
 *
 * What it measures: how many reports a second ONE process can make durable on this machine's
 * disk when it does nothing but write the rows a report needs, with the same durability as the
 * server, so that intake.sh can say how far the server is from what the disk allows.
 *
 *   floor TEMPLATE DB (--seconds S | --reports N)
 *
 * TEMPLATE is written by capture.py from the rows ONE real `POST /api/v1/reports` added to a
 * freshly migrated server database (every table compared before and after). DB is a copy of
 * that freshly migrated database as it was BEFORE the report (so the schema, indexes, foreign
 * keys and seeded rows are the server's own). For every replayed report it does exactly:
 *
 *   BEGIN IMMEDIATE                         -- as the server's WriteTransactions on SQLite
 *   INSERT INTO case_reference_counters (year, last_number) VALUES (?, 1)
 *     ON CONFLICT (year) DO UPDATE SET last_number = case_reference_counters.last_number + 1
 *     RETURNING last_number                 -- the server's upsert (CaseReferenceAllocator)
 *   one INSERT per row the real intake added (the case, party, case_party, incident,
 *     assessment, milestones, case event, audit event, outbox message, ...: whatever the
 *     capture found), with every column bound as a parameter of a statement prepared once:
 *       - each new primary-key UUID gets a fresh UUID of the kind the server made: a
 *         time-ordered one (the UUIDv7 layout of the server's OrderedID: the row lands at the
 *         end of the primary-key index) or a random one (Foundation's UUID(): anywhere in the
 *         index), in the same form (the server's SQLite stores UUIDs as upper-case text; a
 *         16-byte blob would be kept a blob), and every foreign key to it the same value;
 *       - the case reference and number come from the counter (`ASB-YYYY-NNNNN`), also
 *         inside text (message subjects, audit entity ids);
 *       - text that held a new id (an outbox dedupe key) holds the new one;
 *       - every other value is what the server wrote, byte for byte;
 *   COMMIT
 *
 * The database is opened with journal_mode=WAL, synchronous=FULL (SQLite's default, which the
 * server keeps: every COMMIT fsyncs the WAL) and foreign_keys=ON (as Fluent's SQLite driver),
 * and the default page cache. The WAL checkpoints automatically at 1000 pages, as the server's.
 *
 * What it leaves out, on purpose (that is the server's cost above the floor): HTTP, JSON,
 * validation, the risk rules and deadlines computed in Swift, the reads the intake makes
 * (calendar, neighbourhoods, properties, team leaders), the UPDATE the intake makes of the case
 * row after inserting it (the floor inserts its final state), and message composition.
 *
 * Output: one JSON line on stdout:
 *   {"reports":N,"seconds":S,"rps":R,"statements_per_report":K,"p50_ms":..,"p99_ms":..}
 * with the latency of each report's transaction (BEGIN to COMMIT returning).
 *
 * The TEMPLATE format (one item a line; hex is the UTF-8 bytes in hexadecimal):
 *   ASBFLOOR 1           magic
 *   # ...                comment
 *   IDS k                how many new ids a report has (numbered 1..k)
 *   IDKIND g v           id g is made as UUID version v (7 time-ordered, 4 random)
 *   YEAR y               the counter's year
 *   STMT n HEXSQL        an INSERT with parameters ?1..?n; the next n lines are its values:
 *   V N | V I int | V F real | V T hextext | V B hexblob   constants
 *   V U g                new id g as a 16-byte blob
 *   V S hextemplate      text with @@IDg@@ (upper-case UUID), @@idg@@ (lower-case), @@REF@@
 *   V R                  the case number from the counter, as an integer
 *   END
 *
 * Build: gcc -O2 -o floor floor.c -lsqlite3 (the system's SQLite), or with the server's own
 * SQLite: gcc -O2 -DFLOOR_SQLITE_NIO -I$NIO/include floor.c $NIO/sqlite_nio_sqlite3.c -lpthread -lm
 * where NIO is .build/checkouts/sqlite-nio/Sources/VaporCSQLite (intake.sh: FLOOR_SQLITE=nio).
 */
#include <ctype.h>
#include <inttypes.h>
#ifdef FLOOR_SQLITE_NIO
/* Built with the server's own SQLite (the sqlite-nio amalgamation, whose functions are renamed
 * sqlite_nio_sqlite3_*): intake.sh does this with FLOOR_SQLITE=nio. */
#include "sqlite_nio_sqlite3.h"
#define sqlite3_bind_blob sqlite_nio_sqlite3_bind_blob
#define sqlite3_bind_double sqlite_nio_sqlite3_bind_double
#define sqlite3_bind_int sqlite_nio_sqlite3_bind_int
#define sqlite3_bind_int64 sqlite_nio_sqlite3_bind_int64
#define sqlite3_bind_null sqlite_nio_sqlite3_bind_null
#define sqlite3_bind_text sqlite_nio_sqlite3_bind_text
#define sqlite3_busy_timeout sqlite_nio_sqlite3_busy_timeout
#define sqlite3_close sqlite_nio_sqlite3_close
#define sqlite3_column_int sqlite_nio_sqlite3_column_int
#define sqlite3_column_int64 sqlite_nio_sqlite3_column_int64
#define sqlite3_column_text sqlite_nio_sqlite3_column_text
#define sqlite3_errmsg sqlite_nio_sqlite3_errmsg
#define sqlite3_exec sqlite_nio_sqlite3_exec
#define sqlite3_finalize sqlite_nio_sqlite3_finalize
#define sqlite3_libversion sqlite_nio_sqlite3_libversion
#define sqlite3_open sqlite_nio_sqlite3_open
#define sqlite3_prepare_v2 sqlite_nio_sqlite3_prepare_v2
#define sqlite3_prepare_v3 sqlite_nio_sqlite3_prepare_v3
#define sqlite3_reset sqlite_nio_sqlite3_reset
#define sqlite3_step sqlite_nio_sqlite3_step
#else
#include <sqlite3.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum kind { K_NULL, K_INT, K_REAL, K_TEXT, K_BLOB, K_NEWID, K_TEMPLATE, K_REFNUM };

struct value {
    enum kind kind;
    int64_t i;
    double f;
    unsigned char *bytes; /* text, blob or template */
    int len;
    int id;               /* K_NEWID */
};

struct statement {
    sqlite3_stmt *stmt;
    int count;
    struct value *values;
};

static void die(const char *what, const char *detail) {
    fprintf(stderr, "floor: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static void check(sqlite3 *db, int rc, const char *what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) die(what, sqlite3_errmsg(db));
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned char *unhex(const char *hex, int *out_len) {
    size_t n = strlen(hex);
    while (n && isspace((unsigned char)hex[n - 1])) n--;
    if (n % 2) die("odd hex length", hex);
    unsigned char *out = malloc(n / 2 + 1);
    for (size_t k = 0; k < n / 2; k++) {
        unsigned int byte;
        if (sscanf(hex + 2 * k, "%2x", &byte) != 1) die("bad hex", hex);
        out[k] = (unsigned char)byte;
    }
    out[n / 2] = 0;
    *out_len = (int)(n / 2);
    return out;
}

/* ---- the per-report fresh values ---- */

static int id_count;
static int *id_version;             /* 7: time-ordered, 4: random, as the server made each id */
static unsigned char (*ids)[16];    /* this report's new ids */
static char (*ids_upper)[37], (*ids_lower)[37];
static uint64_t last_ms, seq;

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12; rng_state ^= rng_state << 25; rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

/* A time-ordered UUID: 48 bits of Unix milliseconds, version 7, a counter rising within the
 * millisecond, variant 10, random low bits: the layout of the server's OrderedID. */
static void ordered_uuid(unsigned char b[16]) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    if (ms > last_ms) { last_ms = ms; seq = rng() >> 24; } else { seq++; }
    for (int i = 0; i < 6; i++) b[i] = (unsigned char)(ms >> (8 * (5 - i)));
    b[6] = 0x70 | (unsigned char)((seq >> 60) & 0x0F);
    b[7] = (unsigned char)(seq >> 52);
    uint64_t low = ((seq & ((1ull << 52) - 1)) << 10) | (rng() & 0x3FF);
    b[8] = 0x80 | (unsigned char)((low >> 56) & 0x3F);
    for (int i = 9; i < 16; i++) b[i] = (unsigned char)(low >> (8 * (15 - i)));
}

/* A random (version 4) UUID, as Foundation's UUID(). */
static void random_uuid(unsigned char b[16]) {
    uint64_t hi = rng(), lo = rng();
    for (int i = 0; i < 8; i++) { b[i] = (unsigned char)(hi >> (8 * i)); b[8 + i] = (unsigned char)(lo >> (8 * i)); }
    b[6] = 0x40 | (b[6] & 0x0F);
    b[8] = 0x80 | (b[8] & 0x3F);
}

static void uuid_text(const unsigned char b[16], char out[37], int upper) {
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int p = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[p++] = '-';
        out[p++] = digits[b[i] >> 4];
        out[p++] = digits[b[i] & 15];
    }
    out[p] = 0;
}

static char reference[32];
static int64_t ref_number;

/* Fills in @@IDn@@, @@idn@@ and @@REF@@. */
static char *expand(const struct value *v, char *buf, size_t cap, int *out_len) {
    size_t o = 0;
    const char *s = (const char *)v->bytes;
    for (int k = 0; k < v->len;) {
        const char *rep = NULL;
        int skip = 0;
        if (s[k] == '@' && k + 1 < v->len && s[k + 1] == '@') {
            const char *end = strstr(s + k + 2, "@@");
            if (end) {
                int tl = (int)(end - (s + k + 2));
                if (tl == 3 && !strncmp(s + k + 2, "REF", 3)) rep = reference;
                else if (tl > 2 && (!strncmp(s + k + 2, "ID", 2) || !strncmp(s + k + 2, "id", 2))) {
                    int n = atoi(s + k + 4);
                    if (n < 1 || n > id_count) die("template names an unknown id", s);
                    rep = s[k + 2] == 'I' ? ids_upper[n - 1] : ids_lower[n - 1];
                }
                if (rep) skip = tl + 4;
            }
        }
        if (rep) {
            size_t rl = strlen(rep);
            if (o + rl >= cap) die("expanded text too long", NULL);
            memcpy(buf + o, rep, rl);
            o += rl;
            k += skip;
        } else {
            if (o + 1 >= cap) die("expanded text too long", NULL);
            buf[o++] = s[k++];
        }
    }
    buf[o] = 0;
    *out_len = (int)o;
    return buf;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 5 || (strcmp(argv[3], "--seconds") && strcmp(argv[3], "--reports")))
        die("usage: floor TEMPLATE DB (--seconds S | --reports N)", NULL);
    double limit_seconds = !strcmp(argv[3], "--seconds") ? atof(argv[4]) : 0;
    long limit_reports = !strcmp(argv[3], "--reports") ? atol(argv[4]) : 0;
    rng_state ^= (uint64_t)time(NULL) * 0x100000001B3ull;

    /* Read the template. */
    FILE *in = fopen(argv[1], "r");
    if (!in) die("cannot open the template", argv[1]);
    static char line[1 << 20];
    if (!fgets(line, sizeof line, in) || strncmp(line, "ASBFLOOR 1", 10)) die("not a floor template", argv[1]);

    sqlite3 *db = NULL;
    if (sqlite3_open(argv[2], &db) != SQLITE_OK) die("cannot open the database", argv[2]);
    /* The server's durability: WAL, synchronous FULL (fsync of the WAL on every commit). */
    check(db, sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL), "journal_mode");
    check(db, sqlite3_exec(db, "PRAGMA synchronous=FULL", NULL, NULL, NULL), "synchronous");
    check(db, sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL), "foreign_keys");
    sqlite3_busy_timeout(db, 5000);
    /* Read the settings back, to print what was really in force. */
    char journal[16] = "?";
    int synchronous = -1;
    sqlite3_stmt *q;
    check(db, sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL), "journal_mode?");
    if (sqlite3_step(q) == SQLITE_ROW) snprintf(journal, sizeof journal, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    check(db, sqlite3_prepare_v2(db, "PRAGMA synchronous", -1, &q, NULL), "synchronous?");
    if (sqlite3_step(q) == SQLITE_ROW) synchronous = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (strcmp(journal, "wal") || synchronous != 2) die("could not set journal_mode=WAL and synchronous=FULL", journal);

    int year = 0, nstmts = 0;
    struct statement *stmts = NULL;
    while (fgets(line, sizeof line, in)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        if (!strncmp(line, "END", 3)) break;
        if (sscanf(line, "IDS %d", &id_count) == 1) {
            id_version = calloc(id_count ? id_count : 1, sizeof *id_version);
            continue;
        }
        int g, version;
        if (sscanf(line, "IDKIND %d %d", &g, &version) == 2) {
            if (g < 1 || g > id_count) die("IDKIND out of range", line);
            id_version[g - 1] = version;
            continue;
        }
        if (sscanf(line, "YEAR %d", &year) == 1) continue;
        int n;
        char hexsql[sizeof line];
        if (sscanf(line, "STMT %d %s", &n, hexsql) != 2) die("unexpected template line", line);
        int sqllen;
        char *sql = (char *)unhex(hexsql, &sqllen);
        stmts = realloc(stmts, sizeof *stmts * (nstmts + 1));
        struct statement *st = &stmts[nstmts++];
        check(db, sqlite3_prepare_v3(db, sql, sqllen, SQLITE_PREPARE_PERSISTENT, &st->stmt, NULL), sql);
        free(sql);
        st->count = n;
        st->values = calloc(n, sizeof *st->values);
        for (int k = 0; k < n; k++) {
            if (!fgets(line, sizeof line, in) || line[0] != 'V') die("missing value line", NULL);
            struct value *v = &st->values[k];
            char tag = line[2];
            const char *arg = line + 4;
            switch (tag) {
            case 'N': v->kind = K_NULL; break;
            case 'I': v->kind = K_INT; v->i = strtoll(arg, NULL, 10); break;
            case 'F': v->kind = K_REAL; v->f = strtod(arg, NULL); break;
            case 'T': v->kind = K_TEXT; v->bytes = unhex(arg, &v->len); break;
            case 'B': v->kind = K_BLOB; v->bytes = unhex(arg, &v->len); break;
            case 'S': v->kind = K_TEMPLATE; v->bytes = unhex(arg, &v->len); break;
            case 'U': v->kind = K_NEWID; v->id = atoi(arg); break;
            case 'R': v->kind = K_REFNUM; break;
            default: die("unknown value kind", line);
            }
            /* Constants are bound once; SQLite keeps bindings across sqlite3_reset. */
            switch (v->kind) {
            case K_NULL: check(db, sqlite3_bind_null(st->stmt, k + 1), "bind"); break;
            case K_INT: check(db, sqlite3_bind_int64(st->stmt, k + 1, v->i), "bind"); break;
            case K_REAL: check(db, sqlite3_bind_double(st->stmt, k + 1, v->f), "bind"); break;
            case K_TEXT: check(db, sqlite3_bind_text(st->stmt, k + 1, (char *)v->bytes, v->len, SQLITE_STATIC), "bind"); break;
            case K_BLOB: check(db, sqlite3_bind_blob(st->stmt, k + 1, v->bytes, v->len, SQLITE_STATIC), "bind"); break;
            default: break; /* bound per report */
            }
        }
    }
    fclose(in);
    if (!year || !nstmts) die("the template has no YEAR or no STMT", NULL);
    ids = calloc(id_count ? id_count : 1, 16);
    ids_upper = calloc(id_count ? id_count : 1, 37);
    ids_lower = calloc(id_count ? id_count : 1, 37);

    sqlite3_stmt *begin, *commit, *counter;
    check(db, sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL), "prepare begin");
    check(db, sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL), "prepare commit");
    check(db, sqlite3_prepare_v2(db,
        "INSERT INTO case_reference_counters (year, last_number) VALUES (?1, 1) "
        "ON CONFLICT (year) DO UPDATE SET last_number = case_reference_counters.last_number + 1 "
        "RETURNING last_number", -1, &counter, NULL), "prepare counter");
    sqlite3_bind_int(counter, 1, year);

    size_t lat_cap = 1 << 16, done = 0;
    double *latency = malloc(sizeof(double) * lat_cap);
    /* Expanded templates must stay alive until their statement has run: each statement's
     * texts get their own slice of this buffer. */
    static char textbuf[1 << 20];
    double start = now_seconds(), t0;
    for (;;) {
        t0 = now_seconds();
        if (limit_seconds > 0 && t0 - start >= limit_seconds) break;
        if (limit_reports > 0 && (long)done >= limit_reports) break;

        check(db, sqlite3_step(begin), "BEGIN IMMEDIATE");
        sqlite3_reset(begin);
        if (sqlite3_step(counter) != SQLITE_ROW) die("counter upsert", sqlite3_errmsg(db));
        ref_number = sqlite3_column_int64(counter, 0);
        sqlite3_reset(counter);
        snprintf(reference, sizeof reference, "ASB-%d-%05" PRId64, year, ref_number);
        for (int g = 0; g < id_count; g++) {
            if (id_version[g] == 7) ordered_uuid(ids[g]); else random_uuid(ids[g]);
            uuid_text(ids[g], ids_upper[g], 1);
            uuid_text(ids[g], ids_lower[g], 0);
        }
        for (int s = 0; s < nstmts; s++) {
            struct statement *st = &stmts[s];
            size_t used = 0;
            for (int k = 0; k < st->count; k++) {
                struct value *v = &st->values[k];
                if (v->kind == K_NEWID) {
                    check(db, sqlite3_bind_blob(st->stmt, k + 1, ids[v->id - 1], 16, SQLITE_STATIC), "bind id");
                } else if (v->kind == K_REFNUM) {
                    check(db, sqlite3_bind_int64(st->stmt, k + 1, ref_number), "bind number");
                } else if (v->kind == K_TEMPLATE) {
                    int len;
                    char *text = expand(v, textbuf + used, sizeof textbuf - used, &len);
                    used += len + 1;
                    check(db, sqlite3_bind_text(st->stmt, k + 1, text, len, SQLITE_STATIC), "bind text");
                }
            }
            int rc = sqlite3_step(st->stmt);
            if (rc != SQLITE_DONE) die("insert", sqlite3_errmsg(db));
            sqlite3_reset(st->stmt);
        }
        check(db, sqlite3_step(commit), "COMMIT");
        sqlite3_reset(commit);

        if (done == lat_cap) latency = realloc(latency, sizeof(double) * (lat_cap *= 2));
        latency[done++] = now_seconds() - t0;
    }
    double elapsed = now_seconds() - start;

    /* Percentiles of the per-report transaction time (nearest rank). */
    qsort(latency, done, sizeof(double), compare_doubles);
#define PCT(p) (done ? latency[(size_t)((p) / 100.0 * (done - 1) + 0.5)] * 1000 : 0)
    printf("{\"reports\":%zu,\"seconds\":%.2f,\"rps\":%.1f,\"statements_per_report\":%d,"
           "\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f,\"last_reference\":\"%s\","
           "\"journal_mode\":\"%s\",\"synchronous\":%d,\"sqlite\":\"%s\"}\n",
           done, elapsed, done / elapsed, nstmts + 1, PCT(50), PCT(95), PCT(99), reference,
           journal, synchronous, sqlite3_libversion());
    sqlite3_close(db);
    return 0;
}
