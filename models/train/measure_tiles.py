"""Indicative measure of tiling (issue 8): the whole frame vs two overlapping tiles (left and right, 55 % of the
width each), nanodet-416-vn run in torch from models/train/.work/nanodet-416-vn, boxes merged by class-wise NMS.
Precision/recall at score 0.35, IoU 0.5, on the four Hà Nội frames and the dataset test split; seconds per frame.
A Python evaluator (no rider fusion, no 8 px floor), so compare its two rows with each other, not with
eval-detector. Run from models/train: /usr/bin/python3 measure_tiles.py
"""
import sys, json, glob, time

import numpy as np
import torch
sys.path.insert(0,'.')
import train as T
from graph_module import GraphModule
from PIL import Image
import torch.nn.functional as F
torch.set_num_threads(2)
m=GraphModule('.work/nanodet-416-vn').eval()
def run(img):  # img: 3xHxW float tensor 0..255 -> boxes in img pixels
    H,W=img.shape[1:]; s=min(416/W,416/H); w,h=round(W*s),round(H*s); top=(416-h)//2; left=(416-w)//2
    r=F.interpolate(img[None],size=(h,w),mode='bilinear',align_corners=False)[0]
    c=torch.zeros(3,416,416); c[:,top:top+h,left:left+w]=r
    b,sc,cl=T.detect(m,T.normalise(c)[None])[0]
    b=b.clone(); b[:,[0,2]]=(b[:,[0,2]]-left)/s; b[:,[1,3]]=(b[:,[1,3]]-top)/s
    return b,sc,cl
def tiles(img, overlap=0.1):
    H,W=img.shape[1:]; half=int(W*(0.5+overlap/2)); out=[]
    for x0 in (0, W-half):
        b,sc,cl=run(img[:,:,x0:x0+half]); b[:,[0,2]]+=x0; out.append((b,sc,cl))
    b=torch.cat([o[0] for o in out]); sc=torch.cat([o[1] for o in out]); cl=torch.cat([o[2] for o in out])
    keep=[]
    for c in cl.unique():
        idx=(cl==c).nonzero().flatten(); keep+= [int(idx[i]) for i in T.nms(b[idx],sc[idx],0.5)]
    keep=torch.tensor(sorted(keep),dtype=torch.long); return b[keep],sc[keep],cl[keep]
def score(items, fn):
    st={}; t0=time.time()
    for img,truths in items:
        b,sc,cl=fn(img); k=sc>=0.35; b,sc,cl=b[k],sc[k],cl[k]
        for c in set(int(x) for x in truths[:,4]):
            tb=truths[truths[:,4]==c,:4]; pb=b[cl==c]; o=sc[cl==c].argsort(descending=True); pb=pb[o]
            used=torch.zeros(len(tb),dtype=torch.bool); tp=0
            for p in pb:
                iou=T.box_iou(p[None],tb)[0]; iou[used]=-1; j=int(iou.argmax()) if len(tb) else -1
                if j>=0 and iou[j]>=0.5: used[j]=True; tp+=1
            s=st.setdefault(T.CLASS_NAMES[c],[0,0,0]); s[0]+=tp; s[1]+=len(pb); s[2]+=len(tb)
    return {k:(round(v[0]/max(v[1],1),2), round(v[0]/v[2],2), v[2]) for k,v in st.items()}, round((time.time()-t0)/len(items),2)
hanoi=[]
for f in sorted(glob.glob('../../../shared/data/labels/boxes/*.json')):
    d=json.load(open(f)); img=torch.from_numpy(np.asarray(Image.open('../../../shared/data/labels/'+d['image']).convert('RGB')).copy()).permute(2,0,1).float()
    tr=torch.tensor([[b['x1'],b['y1'],b['x2'],b['y2'],{'car':1,'motorbike':0}[b['class']]] for b in d['boxes']],dtype=torch.float32)
    hanoi.append((img,tr))
test=[]
for image,boxes in T.read_split('test'):
    img=F.interpolate(image[None].float(),size=(640,1138),mode='bilinear',align_corners=False)[0]
    tr=torch.from_numpy(boxes.copy()); tr[:,[0,2]]*=1138; tr[:,[1,3]]*=640; test.append((img,tr))
for name,items in (('hanoi',hanoi),('test',test)):
    print(name,'whole',*score(items,run)); print(name,'2 tiles',*score(items,tiles))
