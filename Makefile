# The two commands: `make demo` and `make test`. Each makes .venv if missing and installs qualcode into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= demo-project
STAMP := $(VENV)/.installed

.PHONY: demo test bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q

demo: $(STAMP)
	rm -rf $(DEMO_DIR)
	$(BIN)/qualcode init $(DEMO_DIR) --name "ECM task force evaluation (demo)" --participants transcripts/participants.csv
	cp transcripts/qualcode.yaml $(DEMO_DIR)/qualcode.yaml
	cp codebooks/ecm.yaml $(DEMO_DIR)/codebooks/ecm.yaml
	$(BIN)/qualcode -p $(DEMO_DIR) codebook check
	$(BIN)/qualcode -p $(DEMO_DIR) codebook show --depth 0
	$(BIN)/qualcode -p $(DEMO_DIR) import transcripts/*.txt transcripts/*.md transcripts/*.vtt transcripts/*.srt transcripts/*.docx
	$(BIN)/qualcode -p $(DEMO_DIR) check
	$(BIN)/qualcode -p $(DEMO_DIR) docs
	$(BIN)/qualcode -p $(DEMO_DIR) summary --by role
	$(BIN)/qualcode -p $(DEMO_DIR) summary --by task_force
	@echo "Demo project: $(DEMO_DIR)/ (try: $(BIN)/qualcode -p $(DEMO_DIR) show TF01-LE-001)"

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache

bench: $(STAMP)
	mkdir -p benchmarks/results
	$(BIN)/python benchmarks/bench_import.py --json benchmarks/results/import.json
	$(BIN)/python benchmarks/bench_autocode.py --json benchmarks/results/autocode.json
	$(BIN)/python benchmarks/bench_agreement.py --json benchmarks/results/agreement.json
