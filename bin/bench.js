#!/usr/bin/env node
import "../dist/bench.js";
