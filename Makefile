# Thin wrapper around Meson for the README's commands.
BUILD       ?= build
MESON_OPTS  ?= -Dwerror=true
NINJA       ?= ninja

.PHONY: all deps test unit integration demo demo-stop install uninstall format format-check \
	asan valgrind bench fuzz mutate clean

all: $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)

deps:
	@scripts/deps.sh

$(BUILD)/build.ninja:
	@scripts/deps.sh
	meson setup $(BUILD) $(MESON_OPTS)

test: all
	@scripts/run-tests.sh $(BUILD)

unit: all
	meson test -C $(BUILD) --suite unit --print-errorlogs

integration: all
	meson test -C $(BUILD) --suite integration --print-errorlogs

demo: all
	@tests/fleet/demo.sh start $(BUILD)/cli/haproxyadmin

demo-stop:
	@tests/fleet/demo.sh stop

# make install [PREFIX=/usr/local] [DESTDIR=/staging]: the library, header,
# pkg-config modules (haproxyadmin, alias libhaproxyadmin), the program, its
# man pages and shell completion. PREFIX, when given, reconfigures $(BUILD).
install: all
	@if [ -n "$(PREFIX)" ]; then meson configure $(BUILD) -Dprefix="$(PREFIX)" >/dev/null && \
		$(NINJA) -C $(BUILD); fi
	meson install -C $(BUILD) $(if $(DESTDIR),--destdir "$(DESTDIR)")

# Removes what the last 'make install' of $(BUILD) installed (its install log).
uninstall:
	$(NINJA) -C $(BUILD) uninstall

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

# The whole suite again with AddressSanitizer and UBSan.
asan:
	@scripts/deps.sh
	[ -f build-asan/build.ninja ] || meson setup build-asan $(MESON_OPTS) \
		-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
	$(NINJA) -C build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1 LSAN_OPTIONS=exitcode=23 UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1 \
		scripts/run-tests.sh build-asan

# Unit tests under valgrind: no leaks, no errors.
valgrind: all
	@scripts/deps.sh valgrind
	meson test -C $(BUILD) --suite unit --print-errorlogs \
		--wrapper 'valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=all --quiet'

bench:
	@bench/run.sh

# The mutation check: small deliberate bugs on a scratch copy, each must
# make its targeted tests fail (scripts/mutate.sh lists them).
mutate:
	@scripts/mutate.sh

fuzz:
	@fuzz/run.sh

clean:
	rm -rf $(BUILD) build-asan build-bench build-fuzz
