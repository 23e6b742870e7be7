# A thin wrapper around CMake (as neovim has): every target builds through
# cmake into $(BUILD).  See README.md.
BUILD     ?= build
ASAN_BUILD ?= build-asan
# CI sets CI=true: warnings are errors there.
WERROR    ?= $(if $(CI),ON,OFF)
CMAKE_ARGS ?=
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps demo test test-fast asan bench install clean

all: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

$(BUILD)/CMakeCache.txt:
	cmake -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKVMLINT_WERROR=$(WERROR) $(CMAKE_ARGS)

deps:
	@sh scripts/install-deps.sh

# Lint the chapter's SQL Server VM against the DL380p Gen8 host.
demo: deps all
	@echo '$$ kvmlint check --host examples/hosts/dl380p-g8.caps.xml examples/sql01.xml'
	@$(BUILD)/kvmlint check --host examples/hosts/dl380p-g8.caps.xml examples/sql01.xml; \
	  rc=$$?; echo "(exit status $$rc)"; [ $$rc -le 1 ]

# The whole suite: a normal build, then the same tests under ASan+UBSan.
test: deps all
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	cmake -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DKVMLINT_SANITIZE=ON -DKVMLINT_WERROR=$(WERROR) $(CMAKE_ARGS)
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j$(JOBS)

# Only the normal build's tests.
test-fast: deps all
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

bench: deps all
	sh bench/bench.sh $(BUILD)/kvmlint

install: all
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
