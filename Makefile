# One entry point for people and CI: `make build` runs the warehouse, `make test` checks everything.
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: env spark-env build build-spark daily report browser check test lint sample quality bench clean \
	serve serve-stop serve-publish

env: $(READY)

# pip installs uv (pinned here), and uv the locks: seconds, where pip took over a minute for each lock. uv compiles
# each module's bytecode as it installs, as pip did: dbt imports some 1,600 modules (3,000 with the ML stack), and
# Python compiles those without it on every start where it may not write it (PYTHONDONTWRITEBYTECODE, set on the
# machine this project is built on).
UV := $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python
$(READY): requirements.lock pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==0.13.9
	$(UV) --only-binary dbt-core-experimental-parser -r requirements.lock
	$(UV) --no-deps -e .
	touch $(READY)

build: $(READY)
	$(BIN)/dbt build
	$(BIN)/python -m tools.publish
	$(BIN)/python -m tools.serve refresh
	$(BIN)/python -m report

# The daily build: `dbt build` on the next day's files, rebuilding only the loans whose inputs changed (and every
# loan's position when the as-of date moves), then publish and report. DAY_DIR names a folder with the day's
# loan_recovery.csv and ledger/, its name the as-of date (YYYY-MM-DD); without it, the generator writes the bundled
# sample's next simulated day into data/daily/ (git-ignored) and that day is built.
DAILY_DIR ?= data/daily
daily: $(READY)
	$(eval DAY_DIR ?= $(shell $(BIN)/python -m tools.synthetic next-day --days-dir $(DAILY_DIR)))
	$(BIN)/dbt build --vars '{loan_recovery_path: $(DAY_DIR)/loan_recovery.csv, ledger_path: $(DAY_DIR)/ledger, as_of_date: "$(notdir $(DAY_DIR))"}'
	$(BIN)/python -m tools.publish
	$(BIN)/python -m tools.serve refresh
	$(BIN)/python -m report

# The Spark extra (dbt-spark, pyspark: requirements-spark.lock) on top of the main environment; pyspark is a 456 MB
# source package (about 25 s to build and install the first time, then cached by uv).
SPARK_READY := $(VENV)/.spark-ready
spark-env: $(SPARK_READY)

$(SPARK_READY): $(READY) requirements-spark.lock
	$(UV) -r requirements-spark.lock
	touch $(SPARK_READY)

# The bundled sample on a local Apache Spark (needs Java 17 or 21): dbt's spark target, the ML job between two dbt
# runs (tools/spark_build.py); tables as Parquet under spark-warehouse/. docs/engines-and-spark.md.
# SPARK_METHOD=thrift: dbt through the Spark Thrift Server of a standalone cluster started (and stopped) on
# 127.0.0.1 for the build, as platforms connect it (tools/spark_cluster.py, docs/spark-thrift.md).
SPARK_METHOD ?= session
build-spark: $(SPARK_READY)
	$(BIN)/python -m tools.spark_build --method $(SPARK_METHOD)

# The PostgreSQL endpoint for BI servers (docs/bi-connections.md, tools/serve.py): a local PostgreSQL on
# SERVE_HOST:SERVE_PORT (127.0.0.1:5433; data in SERVE_DIR, default .serve/) with the published tables, loaded
# atomically; `make serve` again (and every `make build` while it runs) refreshes them. Prints the roles' URLs.
# serve-publish loads them into your own PostgreSQL instead: make serve-publish PG_URL=postgresql://owner@host/db
SERVE_HOST ?= 127.0.0.1
SERVE_PORT ?= 5433
serve: $(READY)
	$(BIN)/python -m tools.serve start --host $(SERVE_HOST) --port $(SERVE_PORT)

serve-stop: $(READY)
	$(BIN)/python -m tools.serve stop

serve-publish: $(READY)
	$(BIN)/python -m tools.serve publish --url "$(PG_URL)"

# reports/loan-recovery-report.html from the current warehouse (DUCKDB_PATH, default loan_recovery.duckdb).
report: $(READY)
	$(BIN)/python -m report

# The report test opens the report in headless Chromium (Debian's package; CI runs as root) and reads the page it
# prints with pdftotext (poppler-utils).
browser:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	command -v pdftotext >/dev/null || (apt-get update && apt-get install -y poppler-utils)

# Python style, the project's structure rules (dbt-bouncer.yml, on the manifest of `dbt parse`), its metadata score
# (dbt-score: owners, descriptions, tests, example queries; settings in pyproject.toml) and SQL style.
DBT_SCORE_FLOOR := 9.8
lint: $(READY)
	$(BIN)/ruff check ml models tools report tests
	$(BIN)/ruff format --check ml models tools report tests
	$(BIN)/dbt parse --quiet
	$(BIN)/dbt-bouncer run --config-file dbt-bouncer.yml
	$(BIN)/dbt-score lint --manifest target/manifest.json --fail-project-under $(DBT_SCORE_FLOOR)
	$(BIN)/sqlfluff lint --processes 0 models analyses macros data-tests

# pytest with the arguments $(1) on TEST_WORKERS workers (pytest-xdist), one test file per worker at a time
# (tests/conftest.py): most of the time goes to dbt builds that leave a core idle. The linters run beside the
# tests at the lowest CPU priority, on that idle time, into LINT_LOG, shown when both are done; either failing
# fails the target.
TEST_WORKERS ?= 2
LINT_LOG := logs/lint.log
define pytest_beside_lint
	mkdir -p $(dir $(LINT_LOG))
	nice -n 19 $(MAKE) --no-print-directory lint > $(LINT_LOG) 2>&1 & linting=$$!; \
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(1); tested=$$?; \
	wait $$linting; linted=$$?; \
	echo "make lint, beside the tests ($(LINT_LOG)):"; cat $(LINT_LOG); \
	[ $$tested -eq 0 ] && [ $$linted -eq 0 ]
endef

# The inner loop, under 3 minutes: lint, the unit tests and the tests that read the one shared sample build.
check: $(READY)
	$(call pytest_beside_lint,-m "not slow")

# Everything, as CI runs it (.ci/run), then the 20 slowest tests.
test: browser $(SPARK_READY)
	$(call pytest_beside_lint,--durations=20)

# Regenerates the committed sample; deterministic, so a clean tree stays clean.
sample: $(READY)
	$(BIN)/python -m tools.synthetic --loans 2000 --seed 42 --out data/sample --truth-out tests/fixtures \
		--ledger-out data/sample/ledger --timing realistic

# Every risk model against the generator's true probabilities on 100,000 loans (a few minutes; not a test).
quality: $(READY)
	$(BIN)/python -m tools.quality --loans 100000 --seed 1

# Times `dbt build` on generated loans against the source documents' method and plain DuckDB, then the source
# pipeline and `dbt build` side by side on 100k and 1M resamples of the public dataset (../shared/data/; skipped,
# saying why, when it is absent), and writes bench/results.md (1M loans take several minutes; not a test).
# BENCH_10M=1 adds 10M loans, snapshot only. BENCH_SPARK_LOANS (of BENCH_LOANS) are also built on a local Spark
# (tools/benchmark/spark.py; needs Java; empty skips it).
# Then times the report's first screen in headless Chromium (the report `make build` wrote).
BENCH_LOANS ?= 10000 100000 1000000
BENCH_SPARK_LOANS ?= 1000000
BENCH_DIR ?= /tmp/loan-recovery-bench
bench: build browser $(SPARK_READY)
	$(BIN)/python -m tools.benchmark --loans $(BENCH_LOANS) --spark-loans $(BENCH_SPARK_LOANS) --workdir $(BENCH_DIR) \
		$(if $(BENCH_10M),--with-10m)
	$(BIN)/python -m tools.page_speed

clean:
	rm -rf $(VENV) target logs *.duckdb spark-warehouse spark-cluster
