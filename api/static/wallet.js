// The browser's wallet glue for the console, the portal and the notices page. Every key stays in the wallet
// (EIP-1193, window.ethereum): signing in is personal_sign of a Sign-In with Ethereum message the server wrote;
// each act is prepared by the server from its form, signed with eth_signTypedData_v4, relayed, and followed until
// the indexer has read it. No library: the four calls below are the whole of what a page needs.
"use strict";

const csrfToken = document.querySelector('meta[name="csrf-token"]').content;

class Refused extends Error {
  constructor(problem) {
    super(problem.zh || problem.detail || problem.title || "请求被拒绝");
    this.problem = problem;
  }
}

async function post(url, body, headers = {}) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, ...headers },
    body: body instanceof Blob ? body : JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({ detail: `HTTP ${response.status}` }));
  if (!response.ok) throw new Refused(answer);
  return answer;
}

function wallet() {
  if (!window.ethereum) throw new Error("未检测到浏览器钱包（EIP-1193）：请安装或启用 MetaMask 等钱包。");
  return window.ethereum;
}

function utf8Hex(text) {
  return "0x" + Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("");
}

function rejected(error) {
  return error && (error.code === 4001 || error.code === "ACTION_REJECTED");
}

async function signIn() {
  const [address] = await wallet().request({ method: "eth_requestAccounts" });
  const { message } = await post("/web/sign-in/challenge", { address });
  const signature = await wallet().request({ method: "personal_sign", params: [utf8Hex(message), address] });
  return post("/web/sign-in", { message, signature });
}

async function follow(statusUrl, say) {
  for (let attempt = 0; attempt < 120; attempt++) {
    const response = await fetch(statusUrl, { credentials: "same-origin" });
    const status = await response.json();
    if (status.state === "failed") throw new Refused({ zh: `链上执行失败：${status.error}`, detail: status.error });
    if (status.state === "mined" && status.indexed) return status;
    say(status.state === "mined" ? "已上链，等待索引…" : "已提交，等待上链…");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error("等待超时：交易已提交，请稍后刷新页面查看。");
}

function inputsOf(form) {
  const inputs = {};
  for (const element of form.elements) {
    if (!element.name || element.type === "file") continue;
    if (element.type === "checkbox") inputs[element.name] = element.checked;
    else if (element.type === "radio") { if (element.checked) inputs[element.name] = element.value; }
    else inputs[element.name] = element.value;
  }
  inputs.files = form._uploaded || [];
  return inputs;
}

async function upload(form, input, say) {
  const limit = Number(input.dataset.maxBytes || 0);
  form._uploaded = [];
  for (const file of input.files) {
    if (!["application/pdf", "image/png", "image/jpeg"].includes(file.type)) {
      throw new Error(`${file.name}：只接受 PDF、PNG 或 JPEG 文件`);
    }
    if (limit && file.size > limit) throw new Error(`${file.name}：超过 ${Math.round(limit / 1048576)} MB 的上限`);
    say(`正在上传 ${file.name}（${form._uploaded.length + 1}/${input.files.length}）…`);
    const stored = await post("/web/files", file, { "Content-Type": file.type, "X-File-Name": encodeURIComponent(file.name) });
    form._uploaded.push(stored);
  }
  say(`已上传 ${form._uploaded.length} 个文件`);
}

function markInvalid(form, errors) {
  // The server's per-field refusals (problem+json `errors`), shown beside the fields they are about.
  for (const old of form.querySelectorAll(".field-error")) old.remove();
  for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
  for (const { field, message } of errors || []) {
    const element = form.elements[field] || form.querySelector('input[type="file"]');
    if (!element || !element.closest) continue;
    element.setAttribute("aria-invalid", "true");
    const note = document.createElement("small");
    note.className = "field-error";
    note.textContent = message;
    element.closest("label").appendChild(note);
  }
}

async function signAct(form) {
  const outcome = form.querySelector(".outcome");
  const button = form.querySelector("button[type=submit]");
  const say = (text, kind = "progress") => { outcome.textContent = text; outcome.dataset.kind = kind; };
  button.disabled = true;
  markInvalid(form, []);
  try {
    const files = form.querySelector('input[type="file"]');
    if (files && files.files.length) await upload(form, files, say);
    say("正在准备签名内容…");
    const prepared = await post("/web/prepare", { act: form.dataset.act, about: form.dataset.about || null, inputs: inputsOf(form) });
    say("请在钱包中确认签名…");
    const signer = prepared.signedAct.signer;
    const signature = await wallet().request({ method: "eth_signTypedData_v4", params: [signer, JSON.stringify(prepared.typedData)] });
    say("正在提交到区块链…");
    const relayed = await post("/web/acts", { signedAct: { ...prepared.signedAct, signature } });
    const status = await follow(relayed.statusUrl, say);
    say(`已完成：区块 ${status.blockNumber}，交易 ${relayed.txHash.slice(0, 18)}…`, "done");
    const next = form.dataset.next === "application" && status.applications && status.applications[0]
      ? form.dataset.nextBase + status.applications[0].id : null;
    setTimeout(() => (next ? location.assign(next) : location.reload()), 600);
  } catch (error) {
    if (rejected(error)) say("您已在钱包中取消签名：未提交任何操作。", "error");
    else say(error.message || String(error), "error");
    if (error.problem) markInvalid(form, error.problem.errors);
    button.disabled = false;
  }
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form.act")) return;
  event.preventDefault();
  signAct(form);
});

document.addEventListener("click", async (event) => {
  const target = event.target.closest("[data-sign-in], [data-sign-out]");
  if (!target) return;
  const outcome = document.querySelector(".session-outcome");
  try {
    if (target.hasAttribute("data-sign-in")) await signIn();
    else await post("/web/sign-out", {});
    location.reload();
  } catch (error) {
    if (outcome) outcome.textContent = rejected(error) ? "您已取消登录签名。" : (error.message || String(error));
  }
});
