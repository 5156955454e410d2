#!/usr/bin/env python3
"""The shipped content (the rule pack and the Sigma set a new workspace gets) over real recordings: every .evtx of Sigma's regression set, ingested into its
own workspace through Vigil's EVTX reader and replayed with `vigil detect` from an hour before its
events to two hours after. Prints, per recording, the Sigma rule's ATT&CK tags and the pack's alerts,
then how many recordings alert and how many alerts carry a labelled technique.
Needs a release build (`swift build -c release --product vigil`) and PyYAML."""
import os, json, subprocess, glob, re, sys, datetime, collections
HERE=os.path.dirname(os.path.abspath(__file__))
REPO=os.path.dirname(HERE)
V=os.environ.get('VIGIL_BIN') or os.path.join(REPO,'.build/release/vigil')
S=os.path.join(REPO,'../shared/data/sigma')
R=os.path.join(S,'regression_data')
# sigma rule id -> tags
tags={}
for f in glob.glob(S+'/rules*/**/*.yml', recursive=True):
    try: t=open(f,encoding='utf-8').read()
    except: continue
    m=re.search(r'^id:\s*([0-9a-f-]{36})', t, re.M)
    if not m: continue
    tg=re.findall(r'^\s*-\s*attack\.(t\d{4}(?:\.\d{3})?)\s*$', t, re.M)
    tags[m.group(1)]=set(x.upper() for x in tg)
# pack rule name -> techniques
import yaml
pack={}
for f in glob.glob(os.path.join(REPO,'Sources/Detection/Resources/RulePack/*.yaml')):
    d=yaml.safe_load(open(f)); pack[d['id']]=(d['name'], set(d.get('relevantTechniques') or []))
rows=[]
# EVAL_EVERY=N: every Nth recording only (each takes ~20 s with the Sigma set's 1,176 rules).
every=int(os.environ.get('EVAL_EVERY','1'))
for evtx in sorted(glob.glob(R+'/**/*.evtx', recursive=True))[::every]:
    rid=os.path.basename(evtx)[:-5]
    want=tags.get(rid,set())
    js=open(evtx[:-5]+'.json').read()
    times=re.findall(r'"SystemTime": "([^"]+)"', js)
    ts=[datetime.datetime.fromisoformat(x.replace('Z','+00:00')) for x in times]
    lo=min(ts)-datetime.timedelta(hours=1); hi=max(ts)+datetime.timedelta(hours=2)
    ws=os.path.join(os.environ.get('TMPDIR','/tmp'),'vigil-evtx-eval')
    subprocess.run(['rm','-rf',ws])
    subprocess.run([V,'init','--workspace',ws],capture_output=True)
    subprocess.run([V,'ingest','--workspace',ws,evtx],capture_output=True)
    p=subprocess.run([V,'detect','--workspace',ws,'--from',lo.strftime('%Y-%m-%dT%H:00:00Z'),'--to',hi.strftime('%Y-%m-%dT%H:00:00Z'),'--as-generated','--dry-run'],capture_output=True,text=True)
    got=[]
    for line in p.stdout.splitlines():
        if not line.startswith('{'): continue
        d=json.loads(line)
        at=(d.get('AlertType') or '').split('_')[0]
        name,tech=pack.get(at,(d.get('AlertName') or d.get('RuleName'),set()))
        try: tech=tech|set(json.loads(d.get('Techniques') or '[]'))
        except ValueError: pass
        sigma='Sigma rule by' in (d.get('Description') or '')
        got.append((name,tech,sigma))
    rows.append((evtx.replace(R+'/',''),want,got))
    print(len(rows), evtx.split('/')[-2], sorted(want), [g[0] for g in got], flush=True)
packtech=set().union(*(t for _,t in pack.values()))
alerts=sum(len(r[2]) for r in rows)
labelled=sum(1 for r in rows for g in r[2] if g[1] & r[1])
inscope=[r for r in rows if r[1] & packtech]
print(f"{len(rows)} recordings: {sum(1 for r in rows if r[2])} raise an alert; {labelled} of {alerts} alerts carry a technique the recording is labelled with")
print(f"by the pack alone: {sum(1 for r in rows if any(not g[2] for g in r[2]))} recordings alert; with a labelled technique: {sum(1 for r in rows if any(not g[2] and g[1] & r[1] for g in r[2]))}")
print(f"recordings with an alert carrying one of their labelled techniques: {sum(1 for r in rows if any(g[1] & r[1] for g in r[2]))}")
print(f"{len(inscope)} recordings labelled with a technique of the pack: {sum(1 for r in inscope if r[2])} raise an alert")
