// The dashboard page: fetches /dashboard/data every few seconds and draws it (text through textContent only, charts
// as SVG elements), so a strict Content-Security-Policy holds. A key, when the gateway asks for one, stays in this tab.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const KEY = "mirage-dashboard-key";
const CHART = { width: 600, height: 170, left: 40, right: 8, top: 10, bottom: 22, slots: 15 };  // 15 minutes wide at least

function at(data, path) {
  return path.split(".").reduce((value, name) => (value == null ? value : value[name]), data);
}

function age(seconds) {
  if (seconds == null) return "none";
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

function shown(value, unit) {
  if (value == null) return "–";
  if (unit === "age") return age(value);
  if (unit === "%") return `${Math.round(value * 1000) / 10} %`;
  if (unit === "ms") return `${value} ms`;
  if (typeof value === "number") return value.toLocaleString("en");
  if (/^\d{4}-\d\d-\d\dT/.test(value)) return value.replace("T", " ").slice(0, 19) + " UTC";
  return String(value);
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function rows(id, items, fill) {
  const body = document.getElementById(id);
  body.replaceChildren();
  for (const item of items) fill(body.insertRow(), item);
}

function element(name, attributes, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text != null) node.textContent = text;
  return node;
}

// A chart's frame: the y axis from 0 to the top value (a round number), minute labels on the x axis; returns x() and y().
function frame(svg, minutes, top, unit) {
  svg.replaceChildren();
  const { width, height, left, right, top: pad, bottom } = CHART;
  const plotWidth = width - left - right, plotHeight = height - pad - bottom;
  const empty = Math.max(CHART.slots - minutes.length, 0);  // the newest minute on the right, from the first one
  const step = plotWidth / (minutes.length + empty);
  const y = (value) => pad + plotHeight - (value / top) * plotHeight;
  for (const value of [0, top / 2, top]) {
    svg.append(element("line", { class: "axis", x1: left, x2: width - right, y1: y(value), y2: y(value) }));
    svg.append(element("text", { x: left - 4, y: y(value) + 3, "text-anchor": "end" }, `${Math.round(value * 10) / 10}${unit}`));
  }
  minutes.forEach((minute, i) => {
    if (i % Math.ceil(minutes.length / 6) === 0 || i === minutes.length - 1) {
      svg.append(element("text", { x: left + step * (empty + i + 0.5), y: height - 6, "text-anchor": "middle" }, minute.minute.slice(11, 16)));
    }
  });
  return { x: (i) => left + step * (empty + i), step, y };
}

function roundUp(value) {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((v) => v >= value);
}

function drawQuestions(minutes) {
  const svg = document.getElementById("questions-chart");
  const top = roundUp(Math.max(1, ...minutes.map((m) => m.answered + m.held + m.failed)));
  const { x, step, y } = frame(svg, minutes, top, "");
  minutes.forEach((minute, i) => {
    let base = 0;
    for (const kind of ["answered", "held", "failed"]) {
      const count = minute[kind];
      if (!count) continue;
      const bar = element("rect", { class: kind, x: x(i) + step * 0.15, width: step * 0.7, y: y(base + count), height: y(base) - y(base + count) });
      bar.append(element("title", {}, `${minute.minute.slice(11, 16)}: ${count} ${kind}`));
      svg.append(bar);
      base += count;
    }
  });
}

function drawLatency(minutes) {
  const svg = document.getElementById("latency-chart");
  const values = minutes.flatMap((m) => [m.latency_p95_ms, m.latency_p50_ms]).filter((v) => v != null);
  const top = roundUp(Math.max(10, ...values));
  const { x, step, y } = frame(svg, minutes, top, "");
  for (const series of ["p95", "p50"]) {
    const points = minutes.map((m, i) => [x(i) + step / 2, m[`latency_${series}_ms`]]).filter(([, v]) => v != null);
    if (points.length > 1) svg.append(element("polyline", { class: series, points: points.map(([px, v]) => `${px},${y(v)}`).join(" ") }));
    for (const [px, v] of points) {
      const dot = element("circle", { class: series, cx: px, cy: y(v), r: 2.5 });
      dot.append(element("title", {}, `${series} ${v} ms`));
      svg.append(dot);
    }
  }
}

function render(data) {
  for (const node of document.querySelectorAll("[data-field]")) {
    const value = at(data, node.dataset.field);
    node.textContent = shown(value, node.dataset.unit);
    if (node.dataset.alertAbove != null) node.classList.toggle("alert", value != null && value > Number(node.dataset.alertAbove));
  }
  const status = document.getElementById("status");
  status.textContent = data.status;
  status.className = `state state-${data.status}`;
  rows("languages", Object.entries(data.documents ? data.documents.by_language : {}), (row, [language, n]) => {
    cell(row, language);
    cell(row, shown(n.documents), "number");
    cell(row, shown(n.chunks), "number");
  });
  rows("dependencies", data.dependencies, (row, dep) => {
    cell(row, dep.name);
    cell(row, "").append(Object.assign(document.createElement("span"), { className: `state state-${dep.state}`, textContent: dep.state }));
    cell(row, dep.detail || "");
  });
  document.getElementById("consumers").replaceChildren(...data.consumers.map((c) => {
    const item = document.createElement("li");
    item.className = c.pending > 0 ? "backlog" : "";
    item.append(Object.assign(document.createElement("span"), { textContent: c.consumer }),
      Object.assign(document.createElement("span"), { className: "numbers", textContent: [c.pending, c.ack_pending, c.redelivered].map((n) => shown(n)).join(" · ") }));
    return item;
  }));
  const subjects = document.getElementById("dead-letter-subjects");
  subjects.replaceChildren(...Object.entries(data.dead_letters_by_subject).map(([subject, n]) => {
    const item = document.createElement("li");
    item.textContent = `${subject}: ${n}`;
    return item;
  }));
  drawQuestions(data.questions.minutes);
  drawLatency(data.questions.minutes);
  document.getElementById("updated").textContent = `${data.generated_at.slice(11, 19)} UTC`;
}

function problem(text) {
  const node = document.getElementById("problem");
  node.textContent = text || "";
  node.hidden = !text;
}

async function refresh() {
  const key = sessionStorage.getItem(KEY);
  const form = document.getElementById("key-form");
  try {
    const response = await fetch(document.body.dataset.source, {
      headers: key ? { Authorization: `Bearer ${key}` } : {}, cache: "no-store", credentials: "omit",
    });
    if (response.status === 401 || response.status === 403) {
      const body = await response.json().catch(() => ({}));
      if (key) sessionStorage.removeItem(KEY);
      form.hidden = false;
      problem(key ? `This key was refused: ${body.detail || response.status}` : "This gateway asks for an API key.");
      return;
    }
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(`the gateway answered ${response.status}${body.detail ? `: ${body.detail}` : ""}`);
    }
    form.hidden = true;
    problem("");
    render(await response.json());
  } catch (error) {
    const status = document.getElementById("status");
    status.textContent = "stale";
    status.className = "state state-down";
    problem(`Could not refresh: ${error.message}. Showing the last figures.`);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY, new FormData(event.target).get("key").trim());
    event.target.reset();
    refresh();
  });
  refresh();
  setInterval(refresh, Number(document.body.dataset.refreshMs) || 5000);
});
