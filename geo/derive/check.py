import csv, collections, sys
G='/work/main/geo/'
def rd(n): return list(csv.DictReader(open(G+n, encoding='utf-8')))
T={n:rd(n+'.csv') for n in 'provinces regencies relay upts wards hubs links districts villages'.split()}
err=[]
def uniq(t,k):
    c=collections.Counter(r[k] for r in T[t]); d=[x for x,v in c.items() if v>1]
    if d: err.append(f'duplicate {t}.{k}: {d[:5]}')
    return set(c)
P=uniq('provinces','code'); R=uniq('regencies','code'); U=uniq('upts','code'); H=uniq('hubs','code')
D=uniq('districts','code'); V=uniq('villages','code'); uniq('wards','ward_code')
uniq('relay','province_code')
def fk(t,col,target,name):
    bad=[r[col] for r in T[t] if r[col] not in target]
    if bad: err.append(f'{t}.{col} -> {name}: {len(bad)} unresolved {bad[:5]}')
fk('relay','province_code',P,'provinces'); fk('relay','handover_province_code',P,'provinces')
fk('upts','regency_code',R,'regencies'); fk('wards','upt_code',U,'upts')
fk('hubs','regency_code',R|P,'regencies/provinces'); fk('links','from_code',H,'hubs'); fk('links','to_code',H,'hubs')
fk('districts','regency_code',R,'regencies'); fk('villages','district_code',D,'districts')
if set(r['province_code'] for r in T['relay'])!=P-{'35'}: err.append('relay does not cover every province except 35')
for r in T['relay']:
    h=r['handover_province_code']
    if next(x for x in T['relay'] if x['province_code']==h)['handover_province_code']!=h: err.append(f'handover {h} not self-pointing')
VOC=set('elderly toddler child youth juvenile_justice psychosocial physical_disability visual_disability hearing_disability intellectual_disability women homeless leprosy'.split())
for r in T['upts']:
    if not set(r['services'].split(';'))<=VOC: err.append('bad service '+r['code'])
for r in T['wards']:
    if r['need'] not in VOC or r['sex'] not in ('male','female','any') or int(r['beds'])<=0: err.append('bad ward '+r['ward_code'])
wu=collections.defaultdict(set)
for r in T['wards']: wu[r['upt_code']].add(r['sex'])
for r in T['upts']:
    if r['code'] not in wu: err.append('UPT without ward '+r['code'])
    if set(r['services'].split(';'))&{'elderly','psychosocial'} and not {'male','female'}<=wu[r['code']]: err.append('no M/F wards '+r['code'])
for r in T['hubs']:
    if r['kind'] not in ('bus_terminal','rail_station','port'): err.append('bad hub kind '+r['code'])
for r in T['links']:
    if r['mode'] not in ('bus','rail','ferry','ship') or int(r['minutes'])<=0 or int(r['fare_idr'])<0: err.append('bad link')
no_hub=R-{r['regency_code'] for r in T['hubs']}
if no_hub: err.append(f'regencies without hub: {sorted(no_hub)}')
adj=collections.defaultdict(set)
for r in T['links']: adj[r['from_code']].add(r['to_code']); adj[r['to_code']].add(r['from_code'])
seen={'T-PURABAYA'}; st=['T-PURABAYA']
while st:
    for n in adj[st.pop()]:
        if n not in seen: seen.add(n); st.append(n)
if H-seen: err.append(f'hubs unreachable from T-PURABAYA: {sorted(H-seen)}')
for n in ('P-TANJUNGPERAK','P-KETAPANG'):
    if n not in H: err.append('missing '+n)
# formatting
for fn in T:
    for i,l in enumerate(open(G+fn+'.csv',encoding='utf-8')):
        if l.rstrip('\n')!=l.rstrip('\n').rstrip(' ') or ', ' in l.split('"')[0] and False: err.append(f'trailing space {fn}:{i+1}')
print('rows:',{k:len(v) for k,v in T.items()})
print(f'provinces={len(P)} regencies={len(R)} kota={sum(r["kind"]=="kota" for r in T["regencies"])} upts={len(U)} hubs={len(H)} reachable_from_T-PURABAYA={len(seen)}/{len(H)}')
print(f'villages without centroid={sum(1 for r in T["villages"] if not r["lat"])}')
print('ERRORS:' if err else 'OK: no errors'); [print(' ',e) for e in err]
sys.exit(1 if err else 0)
