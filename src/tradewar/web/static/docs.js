// A small reader of /openapi.json: every endpoint, its parameters, body and answers, then the schemas.
"use strict";

function el(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function refName(ref) {
  return ref.split("/").pop();
}

function typeOf(schema) {
  if (!schema) return "";
  if (schema.$ref) return refName(schema.$ref);
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(" | ");
  if (schema.oneOf) return schema.oneOf.map(typeOf).join(" | ");
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.type === "array") return `array of ${typeOf(schema.items)}`;
  let text = schema.type || "object";
  if (schema.format) text += ` (${schema.format})`;
  return text;
}

function schemaLink(schema) {
  const name = typeOf(schema);
  if (schema && schema.$ref) {
    const link = el("a", name, { href: `#schema-${name}` });
    return link;
  }
  return el("code", name);
}

function table(headers, rows) {
  const t = el("table", null, { class: "doc" });
  const head = el("tr");
  for (const h of headers) head.appendChild(el("th", h));
  t.appendChild(el("thead")).appendChild(head);
  const body = t.appendChild(el("tbody"));
  for (const row of rows) {
    const tr = body.appendChild(el("tr"));
    for (const cell of row) {
      const td = tr.appendChild(el("td"));
      if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell;
    }
  }
  return t;
}

function endpoint(path, method, operation) {
  const id = `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, "-");
  const section = el("section", null, { id });
  section.appendChild(el("h2", `${method.toUpperCase()} ${path}`));
  if (operation.summary) section.appendChild(el("p", operation.summary, { class: "note" }));
  if (operation.description) section.appendChild(el("p", operation.description, { style: "white-space: pre-wrap" }));
  const parameters = operation.parameters || [];
  if (parameters.length) {
    section.appendChild(el("h3", "Parameters"));
    section.appendChild(table(["Name", "In", "Type", "Required", "Default", "Description"], parameters.map((p) => [
      p.name, p.in, typeOf(p.schema), p.required ? "yes" : "no",
      p.schema && p.schema.default !== undefined ? JSON.stringify(p.schema.default) : "", p.description || "",
    ])));
  }
  const body = operation.requestBody && operation.requestBody.content && operation.requestBody.content["application/json"];
  if (body) {
    section.appendChild(el("h3", "Request body (JSON)"));
    const p = section.appendChild(el("p"));
    p.appendChild(schemaLink(body.schema));
    for (const [name, example] of Object.entries(body.examples || {})) {
      section.appendChild(el("p", `Example: ${example.summary || name}`, { class: "note" }));
      section.appendChild(el("pre", JSON.stringify(example.value, null, 2)));
    }
  }
  section.appendChild(el("h3", "Responses"));
  section.appendChild(table(["Status", "Description", "Body"], Object.entries(operation.responses || {}).map(([code, r]) => {
    const content = r.content || {};
    const type = Object.keys(content)[0];
    return [code, r.description || "", type && content[type].schema ? schemaLink(content[type].schema) : (type || "")];
  })));
  return section;
}

function schemaSection(name, schema) {
  const section = el("section", null, { id: `schema-${name}` });
  section.appendChild(el("h3", name));
  if (schema.description) section.appendChild(el("p", schema.description, { style: "white-space: pre-wrap" }));
  const required = new Set(schema.required || []);
  const rows = Object.entries(schema.properties || {}).map(([field, property]) => [
    field, schemaLink(property), required.has(field) ? "yes" : "no",
    property.default !== undefined ? JSON.stringify(property.default) : "", property.description || "",
  ]);
  if (rows.length) section.appendChild(table(["Field", "Type", "Required", "Default", "Description"], rows));
  if (schema.enum) section.appendChild(el("p", `One of: ${schema.enum.join(", ")}`));
  return section;
}

async function start() {
  const main = document.getElementById("endpoints");
  try {
    const response = await fetch("/openapi.json");
    const spec = await response.json();
    document.getElementById("title").textContent = `${spec.info.title} API ${spec.info.version}`;
    document.getElementById("description").textContent = spec.info.description || "";
    const toc = document.getElementById("toc");
    for (const [path, operations] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const section = endpoint(path, method, operation);
        main.appendChild(section);
        const item = toc.appendChild(el("li"));
        item.appendChild(el("a", `${method.toUpperCase()} ${path}`, { href: `#${section.id}` }));
        item.appendChild(document.createTextNode(operation.summary ? `: ${operation.summary}` : ""));
      }
    }
    const schemas = document.getElementById("schemas");
    for (const [name, schema] of Object.entries((spec.components || {}).schemas || {})) {
      schemas.appendChild(schemaSection(name, schema));
    }
    document.body.dataset.ready = "true";
  } catch (error) {
    main.appendChild(el("p", `The API description could not be read: ${error.message}`, { class: "error" }));
  }
}

document.addEventListener("DOMContentLoaded", start);
