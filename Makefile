# lakehouse build. `make` builds build/lakehouse; `make test` runs every test;
# `make SANITIZE=1 test` does the same under AddressSanitizer + UndefinedBehaviorSanitizer.
CC        ?= gcc
DUCKDB_DIR ?= third_party/duckdb
FAULTS    ?= 1

ifeq ($(SANITIZE),1)
BUILD     ?= build/san
OPT       := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD     ?= build
OPT       := -O2
endif

# Libraries found through pkg-config (each used by one module; see STYLE.md habit 2).
PKGS     ?= libxml-2.0 poppler-glib libmicrohttpd libpq libcurl zlib libzstd liblzma
PKG_CFLAGS := $(if $(PKGS),$(shell pkg-config --cflags $(PKGS)))
PKG_LIBS   := $(if $(PKGS),$(shell pkg-config --libs $(PKGS)))

# The project's own code also builds with the stricter warnings that found real bugs
# (a write into a string literal, unchecked non-literal formats, shadowed locals).
WARN     := -Wall -Wextra -Werror -Wwrite-strings -Wformat=2 -Wshadow -Wmissing-prototypes
CFLAGS   := -std=c11 -D_GNU_SOURCE $(WARN) -g $(OPT) -Isrc -I$(DUCKDB_DIR) \
            -MMD -MP $(if $(filter 1,$(FAULTS)),-DLH_FAULTS=1) $(PKG_CFLAGS)
LDFLAGS  := $(OPT) -L$(DUCKDB_DIR) -Wl,-rpath,$(abspath $(DUCKDB_DIR))
LDLIBS   := -lduckdb -ljansson -lcrypto -lpthread -lm -lbz2 $(PKG_LIBS)

LIB_SRC  := $(sort $(shell find src -name '*.c' ! -path 'src/main.c'))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
DEPS_OK  := $(DUCKDB_DIR)/duckdb.h

.PHONY: all deps run test unit lint clean bench
all: $(BUILD)/lakehouse

deps:
	DUCKDB_DIR=$(DUCKDB_DIR) ./scripts/deps.sh

$(DEPS_OK):
	DUCKDB_DIR=$(DUCKDB_DIR) ./scripts/deps.sh

$(BUILD)/obj/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/liblh.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/lakehouse: $(BUILD)/obj/src/main.o $(BUILD)/liblh.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/liblh.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -Itests -o $@ $< $(BUILD)/liblh.a $(LDLIBS) -lcmocka

unit: $(TEST_BIN)

# Every test: unit binaries, then end-to-end scripts against the real binary.
test: deps $(BUILD)/lakehouse $(TEST_BIN) lint
	BUILD=$(BUILD) ./tests/run_all.sh

# Banned calls, one module per third-party header, dependencies pointing down.
lint:
	@./scripts/lint.sh

run: deps $(BUILD)/lakehouse
	./scripts/run_demo.sh $(BUILD)/lakehouse

bench: deps $(BUILD)/lakehouse
	./bench/run_all.sh $(BUILD)/lakehouse

# ---- fuzzing (tests/fuzz/README.md) ------------------------------------------------------
# `make fuzz` builds every libFuzzer harness with clang under ASan + UBSan into build/fuzz/,
# then tests/fuzz/run.sh runs each over its seed corpus for FUZZ_SECONDS (new inputs go to
# a temp dir, never into the repo) and once over tests/fuzz/regressions/<harness>/.
# `make fuzz-smoke` is the short run for CI. The library objects are a separate tree
# (build/fuzzobj/) compiled with clang and -fsanitize=fuzzer-no-link.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_NAMES   := toml multipart json_body detect sms delta_log sql_gate decode
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 $(FUZZ_SAN) -Isrc \
                -I$(DUCKDB_DIR) -MMD -MP $(PKG_CFLAGS)
FUZZ_OBJ     := $(LIB_SRC:%.c=build/fuzzobj/%.o)
FUZZ_BIN     := $(FUZZ_NAMES:%=build/fuzz/fuzz_%)

.PHONY: fuzz fuzz-build fuzz-smoke
build/fuzzobj/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

build/fuzzobj/liblh.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h build/fuzzobj/liblh.a | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Itests -o $@ $< build/fuzzobj/liblh.a \
	    $(LDFLAGS) $(LDLIBS)

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./tests/fuzz/run.sh $(FUZZ_NAMES)

fuzz-smoke: fuzz-build
	FUZZ_SECONDS=10 ./tests/fuzz/run.sh $(FUZZ_NAMES)

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
