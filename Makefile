# lakehouse build. Two trees from the same sources:
#   $(RELEASE) (build/release): what ships. `make`, `make run` and `make install` build it,
#              without the fault points (LAKEHOUSE_FAULT, LH_FAIL_ALLOC_AT, LH_FAIL_IO_AT).
#   $(BUILD)   (build): the test build, with them (FAULTS=1). `make test` builds both and
#              runs every test against build/lakehouse; a test checks the release binary.
# `make SANITIZE=1 test` does the same under AddressSanitizer + UndefinedBehaviorSanitizer
# (build/san, build/san/release). `make install PREFIX=/usr/local` installs
# bin/lakehouse and lib/libduckdb.so.
CC        ?= gcc
DUCKDB_DIR ?= third_party/duckdb
FAULTS    ?= 1
PREFIX    ?= /usr/local

ifeq ($(SANITIZE),1)
BUILD     ?= build/san
OPT       := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD     ?= build
OPT       := -O2
endif
RELEASE   ?= $(BUILD)/release

# Libraries found through pkg-config (each used by one module; see STYLE.md habit 2).
# PKGS are linked; DL_PKGS are only compiled against: they are loaded with dlopen on first
# use (src/core/dl.h and the *_dl.c file of the module that uses each), so that `sql`,
# `datasets` and `--version` do not load the PDF stack, libpq, libxml2, libmicrohttpd or
# libcurl and the libraries they pull in.
PKGS     ?= zlib libzstd liblzma
DL_PKGS  ?= libxml-2.0 poppler-glib libmicrohttpd libpq libcurl
PKG_CFLAGS := $(if $(PKGS)$(DL_PKGS),$(shell pkg-config --cflags $(PKGS) $(DL_PKGS)))
PKG_LIBS   := $(if $(PKGS),$(shell pkg-config --libs $(PKGS)))

# The project's own code also builds with the stricter warnings that found real bugs
# (a write into a string literal, unchecked non-literal formats, shadowed locals).
WARN     := -Wall -Wextra -Werror -Wwrite-strings -Wformat=2 -Wshadow -Wmissing-prototypes
CFLAGS   := -std=c11 -D_GNU_SOURCE $(WARN) -g $(OPT) -Isrc -I$(DUCKDB_DIR) -MMD -MP $(PKG_CFLAGS)
FAULT_CFLAGS := $(if $(filter 1,$(FAULTS)),-DLH_FAULTS=1)
LDFLAGS  := $(OPT) -L$(DUCKDB_DIR)
LDLIBS   := -lduckdb -ljansson -lcrypto -lpthread -lm -lbz2 $(PKG_LIBS)
# The run-time path to libduckdb.so is relative to the binary ($ORIGIN), never the
# checkout's absolute path: a moved or copied tree still runs. origin_rpath DIR: the path
# for a binary in DIR. An installed binary looks in $ORIGIN/../lib (make install).
origin_rpath = -Wl,-rpath,'$$ORIGIN/$(shell realpath -m --relative-to=$(1) $(DUCKDB_DIR))'
INSTALL_RPATH := -Wl,-rpath,'$$ORIGIN/../lib'

LIB_SRC  := $(sort $(shell find src -name '*.c' ! -path 'src/main.c'))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
REL_OBJ  := $(LIB_SRC:%.c=$(RELEASE)/obj/%.o)
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
DEPS_OK  := $(DUCKDB_DIR)/duckdb.h
# The installer ran once and scripts/deps.sh has not changed since: `make test` and
# `make run` do not run it again (`make deps` always does).
DEPS_STAMP := $(BUILD)/.deps-ok

.PHONY: all deps run test unit lint clean bench install
all: $(RELEASE)/lakehouse

deps:
	DUCKDB_DIR=$(DUCKDB_DIR) ./scripts/deps.sh
	@mkdir -p $(BUILD) && touch $(DEPS_STAMP)

# Every compile waits for the stamp (so a fresh machine installs first, once, even under
# -j), and the stamp for DuckDB's header (fetched if missing).
$(DEPS_STAMP): scripts/deps.sh | $(DEPS_OK)
	DUCKDB_DIR=$(DUCKDB_DIR) ./scripts/deps.sh
	@mkdir -p $(dir $@) && touch $@

$(DEPS_OK):
	DUCKDB_DIR=$(DUCKDB_DIR) ./scripts/deps.sh

$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(FAULT_CFLAGS) -c $< -o $@

$(RELEASE)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/liblh.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(RELEASE)/liblh.a: $(REL_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/lakehouse: $(BUILD)/obj/src/main.o $(BUILD)/liblh.a Makefile
	$(CC) $(LDFLAGS) $(call origin_rpath,$(BUILD)) -o $@ $(filter %.o %.a,$^) $(LDLIBS)

$(RELEASE)/lakehouse: $(RELEASE)/obj/src/main.o $(RELEASE)/liblh.a Makefile
	$(CC) $(LDFLAGS) $(call origin_rpath,$(RELEASE)) -o $@ $(filter %.o %.a,$^) $(LDLIBS)

# Links depend on the Makefile too: a changed rpath relinks.
# The installed copy: the release objects linked with the install layout's rpath.
$(RELEASE)/install/lakehouse: $(RELEASE)/obj/src/main.o $(RELEASE)/liblh.a Makefile
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(INSTALL_RPATH) -o $@ $(filter %.o %.a,$^) $(LDLIBS)

install: $(RELEASE)/install/lakehouse
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib
	install -m 0755 $(RELEASE)/install/lakehouse $(DESTDIR)$(PREFIX)/bin/lakehouse
	install -m 0644 $(DUCKDB_DIR)/libduckdb.so $(DESTDIR)$(PREFIX)/lib/libduckdb.so

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/liblh.a | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(FAULT_CFLAGS) $(LDFLAGS) $(call origin_rpath,$(BUILD)/tests) -Itests \
	    -o $@ $< $(BUILD)/liblh.a $(LDLIBS) -lcmocka

unit: $(TEST_BIN)

# Every test: unit binaries, then end-to-end scripts against the test build's binary
# (tests/e2e/ship.sh checks the release binary and `make install`).
test: $(DEPS_STAMP) $(BUILD)/lakehouse $(RELEASE)/lakehouse $(TEST_BIN) lint
	BUILD=$(BUILD) RELEASE=$(RELEASE) DUCKDB_DIR=$(DUCKDB_DIR) SANITIZE=$(SANITIZE) \
	    ./tests/run_all.sh

# Banned calls, one module per third-party header, dependencies pointing down.
lint:
	@./scripts/lint.sh

run: $(DEPS_STAMP) $(RELEASE)/lakehouse
	./scripts/run_demo.sh $(RELEASE)/lakehouse

bench: $(DEPS_STAMP) $(BUILD)/lakehouse
	./bench/run_all.sh $(BUILD)/lakehouse

# ---- fuzzing (tests/fuzz/README.md) ------------------------------------------------------
# `make fuzz` builds every libFuzzer harness with clang under ASan + UBSan into build/fuzz/,
# then tests/fuzz/run.sh runs each over its seed corpus for FUZZ_SECONDS (new inputs go to
# a temp dir, never into the repo) and once over tests/fuzz/regressions/<harness>/.
# `make fuzz-smoke` is the short run for CI. The library objects are a separate tree
# (build/fuzzobj/) compiled with clang and -fsanitize=fuzzer-no-link.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_NAMES   := toml multipart json_body detect sms delta_log sql_gate decode ai_wire hnsw_file
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 $(FUZZ_SAN) -Isrc \
                -I$(DUCKDB_DIR) -MMD -MP $(PKG_CFLAGS)
FUZZ_OBJ     := $(LIB_SRC:%.c=build/fuzzobj/%.o)
FUZZ_BIN     := $(FUZZ_NAMES:%=build/fuzz/fuzz_%)

.PHONY: fuzz fuzz-build fuzz-smoke
build/fuzzobj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

build/fuzzobj/liblh.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h build/fuzzobj/liblh.a | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Itests -o $@ $< build/fuzzobj/liblh.a \
	    $(LDFLAGS) $(call origin_rpath,build/fuzz) $(LDLIBS)

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./tests/fuzz/run.sh $(FUZZ_NAMES)

fuzz-smoke: fuzz-build
	FUZZ_SECONDS=10 ./tests/fuzz/run.sh $(FUZZ_NAMES)

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
