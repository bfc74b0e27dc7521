/* factbase explorer: shows the records whose window holds the chosen day (from <= D < to). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("fb-data").textContent);
  var DAY = 86400000;
  var slider = document.getElementById("day"), picker = document.getElementById("date");
  function num(iso) { return Math.round(Date.parse(iso + "T00:00:00Z") / DAY); }
  function iso(n) { return new Date(n * DAY).toISOString().slice(0, 10); }
  function holds(r, d) { return (r.from === null || r.from <= d) && (r.to === null || d < r.to); }
  function at(list, d) { return list.filter(function (r) { return holds(r, d); }); }
  function el(tag, attrs, kids) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (kids || []).forEach(function (k) {
      if (k !== null && k !== undefined && k !== "") {
        node.appendChild(typeof k === "string" ? document.createTextNode(k) : k);
      }
    });
    return node;
  }
  function name(id) { return data.names[id] || id; }
  function marks(r) {
    var out = el("span", {}, []);
    if (r.evidence === "reported" || r.evidence === "unconfirmed") {
      out.appendChild(el("span", {"class": "ev"}, [" (" + r.evidence + ")"]));
    }
    (r.sources || []).forEach(function (s) {
      var n = data.sources[s];
      out.appendChild(el("sup", {"class": "fn"}, [el("a", {href: "#src-" + n}, ["[" + n + "]"])]));
    });
    return out;
  }
  function maybeEnded(r, d) { return r.ending !== null && r.ending !== undefined && r.ending <= d; }
  function fill(id, nodes, empty) {
    var box = document.getElementById(id);
    box.textContent = "";
    nodes.forEach(function (n) { box.appendChild(n); });
    if (!nodes.length) { box.appendChild(el(box.tagName === "TBODY" ? "tr" : "li", {"class": "empty"}, [empty])); }
    var count = document.getElementById(id.replace("-body", "-count"));
    if (count) { count.textContent = "(" + nodes.length + ")"; }
  }
  function show(d) {
    var units = at(data.units, d), active = units.filter(function (u) { return u.status === "active"; });
    var unitName = {};
    units.forEach(function (u) { unitName[u.unit] = u.name; });
    var members = at(data.memberships, d), roles = at(data.roles, d);
    var departed = at(data.departures, d), cof = at(data.cofounders, d);
    var present = {};
    members.forEach(function (m) { present[m.person] = m; });
    var gone = {};
    departed.forEach(function (x) { gone[x.person] = x; });
    var cofPresent = cof.filter(function (c) { return present[c.person]; }).length;
    var cofGone = cof.filter(function (c) { return gone[c.person] && !present[c.person]; }).length;
    document.getElementById("shown").textContent = d;
    document.getElementById("summary").textContent = "On " + d + ": " + members.length +
      " people and " + active.length + " units named in the sources; co-founders: " + cof.length +
      " in all — " + cofPresent + " present, " + cofGone + " departed.";
    // The org chart: active units under their parents, with leads and member counts.
    var kids = {}, known = {};
    active.forEach(function (u) { known[u.unit] = true; });
    active.forEach(function (u) {
      var p = known[u.parent] ? u.parent : "";
      (kids[p] = kids[p] || []).push(u);
    });
    function tree(parent) {
      var list = (kids[parent] || []).slice().sort(function (a, b) { return a.name.localeCompare(b.name); });
      if (!list.length) { return null; }
      return el("ul", parent ? {} : {"class": "tree"}, list.map(function (u) {
        var held = roles.filter(function (r) { return r.unit === u.unit; });
        var people = {};
        members.concat(held).forEach(function (m) { if (m.unit === u.unit) { people[m.person] = true; } });
        var count = Object.keys(people).length;
        held.sort(function (a, b) { return (a.role === "lead" ? 0 : 1) - (b.role === "lead" ? 0 : 1); });
        return el("li", {"data-unit": u.unit}, [
          el("span", {"class": "unit-name"}, [u.name]), " ",
          el("span", {"class": "kind"}, [u.kind.replace(/_/g, " ")]), " ",
          el("span", {"class": "count"}, ["· " + count + (count === 1 ? " person" : " people")]), marks(u)
        ].concat(held.map(function (r) {
          return el("span", {"class": "lead", "data-role": r.role, "data-person": r.person}, [
            r.role.replace(/_/g, " ") + ": " + name(r.person) + (r.capacity ? " (" + r.capacity + ")" : "") +
            (r.title ? " — " + r.title : ""), marks(r)]);
        })).concat([tree(u.unit)]));
      }));
    }
    fill("chart-body", active.length ? [tree("")] : [], "No unit recorded on this date.");
    // People present, co-founders first, then by name.
    var rows = members.slice().sort(function (a, b) {
      var ca = cof.some(function (c) { return c.person === a.person; }) ? 0 : 1;
      var cb = cof.some(function (c) { return c.person === b.person; }) ? 0 : 1;
      return ca - cb || name(a.person).localeCompare(name(b.person));
    }).map(function (m) {
      var held = roles.filter(function (r) { return r.person === m.person; });
      var what = el("td", {"data-label": "Roles"}, []);
      held.forEach(function (r, i) {
        what.appendChild(el("span", {}, [(i ? "; " : "") + r.role.replace(/_/g, " ") +
          (r.capacity ? " (" + r.capacity + ")" : "") +
          (r.unit ? " of " + (unitName[r.unit] || r.unit) : "") + (r.title ? " — " + r.title : ""),
          marks(r)]));
      });
      if (m.title && !held.some(function (r) { return r.title === m.title; })) {
        what.appendChild(el("span", {}, [(held.length ? "; " : "") + m.title]));
      }
      var since = el("td", {"data-label": "Since"}, [m.since || "", marks(m)]);
      if (maybeEnded(m, d)) { since.appendChild(el("span", {"class": "maybe"}, [" may have left (" + m.until + ")"])); }
      if (m.on_leave) { since.appendChild(el("span", {"class": "maybe"}, [" on leave"])); }
      return el("tr", {"data-person": m.person}, [
        el("td", {"data-label": "Name"}, [name(m.person)]),
        el("td", {"data-label": "Unit"}, [m.unit ? (unitName[m.unit] || m.unit) : "—"]), what, since]);
    });
    fill("people-body", rows, "Nobody recorded on this date.");
    fill("departures-body", departed.filter(function (x) { return !present[x.person]; }).map(function (x) {
      var isCof = cof.some(function (c) { return c.person === x.person; });
      return el("li", {"data-person": x.person}, [
        el("span", {"class": "gone"}, [name(x.person)]), isCof ? " (co-founder)" : "",
        " — left " + x.date + "; ", el("span", {"class": x.disputed ? "disputed" : ""}, [x.reason]),
        marks(x)
      ].concat(x.accounts.map(function (a) {
        return el("span", {"class": "acct"}, [(a.by || "") + (a.reason ? ": " + a.reason.replace(/_/g, " ") : "") +
          (a.says ? " — “" + a.says + "”" : ""), marks(a)]);
      })));
    }), "No departure recorded by this date.");
    fill("figures-body", at(data.figures, d).map(function (f) {
      return el("li", {"data-figure": f.subject + "/" + f.metric}, [
        f.subject_name + " · " + f.metric.replace(/_/g, " ") + ": " + f.text + " — reported " + f.date,
        f.disputed ? el("span", {"class": "disputed"}, [" (disputed)"]) : "", marks(f)]);
    }), "No figure reported by this date.");
    fill("uncertain-body", at(data.uncertain, d).map(function (u) {
      return el("li", {"data-event": u.event}, [
        el("span", {"class": "maybe"}, ["may have happened, " + u.date + ": "]), u.summary, marks(u)]);
    }), "Nothing uncertain on this date.");
  }
  function go(d) {
    slider.value = String(num(d));
    picker.value = d;
    show(d);
  }
  slider.min = String(num(data.first));
  slider.max = String(num(data.last));
  slider.addEventListener("input", function () { go(iso(Number(slider.value))); });
  picker.addEventListener("change", function () { if (picker.value) { go(picker.value); } });
  go(data.as_of);
}());
