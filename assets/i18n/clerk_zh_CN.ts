<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>App</name>
    <message>
        <source>Omni Clerk</source>
        <translation>全渠道导购台</translation>
    </message>
    <message>
        <source>Omni Clerk cannot start.</source>
        <translation>全渠道导购台无法启动。</translation>
    </message>
</context>
<context>
    <name>ClientBook</name>
    <message>
        <source>Follow-up open</source>
        <translation>有待办跟进</translation>
    </message>
    <message>
        <source>Cart with a coupon expiring soon</source>
        <translation>购物车有商品，优惠券即将过期</translation>
    </message>
    <message>
        <source>Birthday next week</source>
        <translation>下周生日</translation>
    </message>
    <message>
        <source>Not seen for 30 days</source>
        <translation>30 天未到店</translation>
    </message>
    <message numerus="yes">
        <source>%n follow-up(s)</source>
        <translation>
            <numerusform>%n 项跟进</numerusform>
        </translation>
    </message>
    <message>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <source>My customers</source>
        <translation>我的客户</translation>
    </message>
    <message>
        <source>Associate</source>
        <translation>店员</translation>
    </message>
    <message>
        <source>Whose customers</source>
        <translation>谁的客户</translation>
    </message>
    <message>
        <source>Customers to reach out to first</source>
        <translation>优先联系的客户</translation>
    </message>
    <message>
        <source>No customers in this client book yet.</source>
        <translation>客户簿中还没有客户。</translation>
    </message>
    <message>
        <source>Client book</source>
        <translation>客户簿</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>%1 / %2 characters</source>
        <translation>%1 / %2 字</translation>
    </message>
    <message>
        <source>What did the customer say or ask for? (Ctrl+Enter saves)</source>
        <translation>顾客说了什么、想要什么？（Ctrl+Enter 保存）</translation>
    </message>
    <message>
        <source>Note text</source>
        <translation>备注内容</translation>
    </message>
    <message>
        <source>Size, colour, anything to remember (optional)</source>
        <translation>尺码、颜色等需要记住的信息（选填）</translation>
    </message>
    <message>
        <source>Interest note</source>
        <translation>兴趣备注</translation>
    </message>
    <message>
        <source>Coupon to redeem</source>
        <translation>待核销的优惠券</translation>
    </message>
    <message>
        <source>PRODUCTS SOLD</source>
        <translation>售出商品</translation>
    </message>
    <message>
        <source>FOUND IN THE CATALOGUE</source>
        <translation>商品目录中找到</translation>
    </message>
    <message>
        <source>SUGGESTED: ONLINE CART AND BROWSING</source>
        <translation>推荐：线上购物车与浏览</translation>
    </message>
    <message>
        <source>No product matches — try the name in Chinese or English, or the SKU.</source>
        <translation>没有匹配的商品——请试试中文或英文名称，或商品编号。</translation>
    </message>
    <message>
        <source>Search the catalogue above, or scan the product&apos;s SKU.</source>
        <translation>在上方搜索商品目录，或扫描商品编号。</translation>
    </message>
    <message>
        <source>Search products: name (中文 / English) or SKU</source>
        <translation>搜索商品：名称（中文 / English）或编号</translation>
    </message>
    <message>
        <source>Search the catalogue</source>
        <translation>搜索商品目录</translation>
    </message>
    <message>
        <source>Products (click or Enter picks)</source>
        <translation>商品（点击或按 Enter 选择）</translation>
    </message>
    <message>
        <source>Quantity of %1</source>
        <translation>%1 的数量</translation>
    </message>
    <message>
        <source>Unit price of %1 in yuan</source>
        <translation>%1 的单价（元）</translation>
    </message>
    <message>
        <source>Remove %1</source>
        <translation>移除 %1</translation>
    </message>
    <message>
        <source>No product yet: pick one above (a suggestion, a search or a scan).</source>
        <translation>还没有商品：请在上方选择（推荐、搜索或扫码）。</translation>
    </message>
    <message>
        <source>Total paid (¥)</source>
        <translation>实付金额（¥）</translation>
    </message>
    <message>
        <source>Total paid in yuan</source>
        <translation>实付金额（元）</translation>
    </message>
    <message>
        <source>Note (optional)</source>
        <translation>备注（选填）</translation>
    </message>
    <message>
        <source>Points to redeem</source>
        <translation>兑换积分</translation>
    </message>
    <message>
        <source>Points redemption note</source>
        <translation>积分兑换备注</translation>
    </message>
    <message>
        <source>Sale note</source>
        <translation>销售备注</translation>
    </message>
    <message>
        <source>Marketing messages (SMS, app, WeChat)</source>
        <translation>接收营销信息（短信、App、微信）</translation>
    </message>
    <message>
        <source>Consent to marketing messages</source>
        <translation>同意接收营销信息</translation>
    </message>
    <message>
        <source>Use online browsing to serve them in store</source>
        <translation>允许门店参考其线上浏览记录</translation>
    </message>
    <message>
        <source>Consent to use of browsing history</source>
        <translation>同意使用浏览记录</translation>
    </message>
    <message>
        <source>Tick or untick what the customer said; saving records the change.</source>
        <translation>按顾客的意愿勾选或取消，保存即记录变更。</translation>
    </message>
    <message>
        <source>What is it about? e.g. screen replacement</source>
        <translation>什么问题？例如：更换屏幕</translation>
    </message>
    <message>
        <source>Case subject</source>
        <translation>工单主题</translation>
    </message>
    <message>
        <source>Case note</source>
        <translation>工单备注</translation>
    </message>
    <message>
        <source>What happened? (a note — or, closing, how it was resolved)</source>
        <translation>有什么进展？（备注——如要结案，写明如何解决）</translation>
    </message>
    <message>
        <source>Close the case (resolved)</source>
        <translation>结案（已解决）</translation>
    </message>
    <message>
        <source>Close the case</source>
        <translation>结案</translation>
    </message>
    <message>
        <source>e.g. call when size 38 arrives</source>
        <translation>例如：38 码到货后打电话</translation>
    </message>
    <message>
        <source>What to do</source>
        <translation>要做的事</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>到期</translation>
    </message>
    <message>
        <source>Due date</source>
        <translation>到期日</translation>
    </message>
    <message>
        <source>Contacts the customer</source>
        <translation>会联系顾客</translation>
    </message>
    <message>
        <source>For you, due at 18:00 that day; synced to every terminal.</source>
        <translation>由你跟进，当天 18:00 到期；同步到每台终端。</translation>
    </message>
    <message>
        <source>No marketing consent: only a task that does not contact the customer.</source>
        <translation>顾客未同意营销联系：只能创建不联系顾客的任务。</translation>
    </message>
    <message>
        <source>Nobody (not in a client book)</source>
        <translation>无人（不在客户簿中）</translation>
    </message>
    <message>
        <source>Associate</source>
        <translation>店员</translation>
    </message>
    <message>
        <source>The customer joins this associate&apos;s client book on every terminal of the store.</source>
        <translation>该客户将加入此店员的客户簿，门店所有终端同步。</translation>
    </message>
    <message>
        <source>Add a note</source>
        <translation>添加备注</translation>
    </message>
    <message>
        <source>Product interest</source>
        <translation>商品兴趣</translation>
    </message>
    <message>
        <source>Redeem coupon</source>
        <translation>核销优惠券</translation>
    </message>
    <message>
        <source>Assisted sale</source>
        <translation>导购成交</translation>
    </message>
    <message>
        <source>Redeem points</source>
        <translation>兑换积分</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>授权</translation>
    </message>
    <message>
        <source>Open a service case</source>
        <translation>新建服务工单</translation>
    </message>
    <message>
        <source>Service case</source>
        <translation>服务工单</translation>
    </message>
    <message>
        <source>Follow-up task</source>
        <translation>跟进任务</translation>
    </message>
    <message>
        <source>Client book: assign</source>
        <translation>客户簿：分配</translation>
    </message>
    <message>
        <source>Confirm redemption</source>
        <translation>确认核销</translation>
    </message>
    <message>
        <source>Save and send again</source>
        <translation>保存并重新发送</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Withdraw the record</source>
        <translation>撤回记录</translation>
    </message>
    <message>
        <source>Withdraw the record: it is kept, never sent, never counted</source>
        <translation>撤回记录：保留，但不再发送，也不计入统计</translation>
    </message>
    <message>
        <source>Draft kept</source>
        <translation>草稿已保留</translation>
    </message>
    <message>
        <source>Undo discard</source>
        <translation>撤销丢弃</translation>
    </message>
    <message>
        <source>Discard draft</source>
        <translation>丢弃草稿</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>关闭（Esc）</translation>
    </message>
    <message>
        <source>In the online cart</source>
        <translation>在线上购物车中</translation>
    </message>
    <message>
        <source>Browsed online</source>
        <translation>线上浏览过</translation>
    </message>
</context>
<context>
    <name>Customer</name>
    <message>
        <source>%1: conflict — %2</source>
        <translation>%1：冲突 — %2</translation>
    </message>
    <message>
        <source>the hub flagged it for a manager</source>
        <translation>总部已标记，需店长处理</translation>
    </message>
    <message>
        <source>%1: rejected by the hub — %2</source>
        <translation>%1：被总部拒绝 — %2</translation>
    </message>
    <message>
        <source>ask a store manager</source>
        <translation>请联系店长</translation>
    </message>
    <message>
        <source>Note saved · will sync</source>
        <translation>备注已保存 · 稍后同步</translation>
    </message>
    <message>
        <source>Interest saved · will sync</source>
        <translation>兴趣已保存 · 稍后同步</translation>
    </message>
    <message>
        <source>Coupon redeemed · will sync</source>
        <translation>优惠券已核销 · 稍后同步</translation>
    </message>
    <message>
        <source>Sale saved · will sync</source>
        <translation>成交已保存 · 稍后同步</translation>
    </message>
    <message>
        <source>Points redeemed · will sync</source>
        <translation>积分已兑换 · 稍后同步</translation>
    </message>
    <message>
        <source>Consent saved · will sync</source>
        <translation>授权已保存 · 稍后同步</translation>
    </message>
    <message>
        <source>Case opened · will sync</source>
        <translation>工单已创建 · 稍后同步</translation>
    </message>
    <message>
        <source>Case note saved · will sync</source>
        <translation>工单备注已保存 · 稍后同步</translation>
    </message>
    <message>
        <source>Case closed · will sync</source>
        <translation>工单已结案 · 稍后同步</translation>
    </message>
    <message>
        <source>Follow-up saved · will sync</source>
        <translation>跟进任务已保存 · 稍后同步</translation>
    </message>
    <message>
        <source>Follow-up updated · will sync</source>
        <translation>跟进任务已更新 · 稍后同步</translation>
    </message>
    <message>
        <source>Client assigned · will sync</source>
        <translation>客户已分配 · 稍后同步</translation>
    </message>
    <message>
        <source>Contact recorded · will sync</source>
        <translation>联系已记录 · 稍后同步</translation>
    </message>
    <message>
        <source>Saved · will sync</source>
        <translation>已保存 · 稍后同步</translation>
    </message>
    <message>
        <source>Note saved · synced</source>
        <translation>备注已保存 · 已同步</translation>
    </message>
    <message>
        <source>Interest saved · synced</source>
        <translation>兴趣已保存 · 已同步</translation>
    </message>
    <message>
        <source>Coupon redeemed · synced</source>
        <translation>优惠券已核销 · 已同步</translation>
    </message>
    <message>
        <source>Sale saved · synced</source>
        <translation>成交已保存 · 已同步</translation>
    </message>
    <message>
        <source>Consent saved · synced</source>
        <translation>授权已保存 · 已同步</translation>
    </message>
    <message>
        <source>Saved · synced</source>
        <translation>已保存 · 已同步</translation>
    </message>
    <message>
        <source>Walk-in visit saved · will sync</source>
        <translation>散客到店已保存 · 稍后同步</translation>
    </message>
    <message>
        <source>No coupon can be redeemed right now.</source>
        <translation>目前没有可核销的优惠券。</translation>
    </message>
    <message>
        <source>For %1 in the online cart (%2)</source>
        <translation>适用于线上购物车中的 %1（%2）</translation>
    </message>
    <message>
        <source>Redeem “%1” (%2, %3) for %4 now? Enter confirms, Esc cancels.</source>
        <translation>现在为%4核销“%1”（%2，%3）？按 Enter 确认，Esc 取消。</translation>
    </message>
    <message>
        <source>“%1” cannot be redeemed: %2.</source>
        <translation>“%1”不能核销：%2。</translation>
    </message>
    <message>
        <source>This terminal holds no points balance for this customer.</source>
        <translation>本机没有该顾客的积分余额。</translation>
    </message>
    <message>
        <source>%1 points available here</source>
        <translation>本机可兑换 %1 积分</translation>
    </message>
    <message>
        <source>Redeem %1 points for %2 now? Balance after: %3. Enter confirms, Esc cancels.</source>
        <translation>现在为 %2 兑换 %1 积分？兑换后余额：%3。回车确认，Esc 取消。</translation>
    </message>
    <message>
        <source>More than the balance: %1 points may be redeemed here.</source>
        <translation>超出余额：本机最多可兑换 %1 积分。</translation>
    </message>
    <message>
        <source>Pick the product above.</source>
        <translation>请在上方选择商品。</translation>
    </message>
    <message>
        <source>Barcode %1 is not in this store&apos;s catalogue.</source>
        <translation>条码 %1 不在本店商品目录中。</translation>
    </message>
    <message>
        <source>Coupon redeemed here: %1, −%2</source>
        <translation>本店已核销优惠券：%1，−%2</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>Computed from the lines: %1</source>
        <translation>按商品明细计算：%1</translation>
    </message>
    <message>
        <source>Draft kept — it is back when you open the form again.</source>
        <translation>草稿已保留——再次打开此表单时会恢复。</translation>
    </message>
    <message>
        <source>Draft kept: %1 — open it to go on.</source>
        <translation>草稿已保留：%1——打开即可继续。</translation>
    </message>
    <message>
        <source>Draft discarded — Undo brings it back.</source>
        <translation>草稿已丢弃——点“撤销丢弃”可恢复。</translation>
    </message>
    <message>
        <source>This record cannot be corrected in a form: withdraw it (or a manager dismisses it) on the dashboard.</source>
        <translation>此记录无法在表单中更正：请撤回（或由店长在看板上驳回）。</translation>
    </message>
    <message>
        <source>The hub did not take this record: %1. Correct it and save to send it again, or withdraw it.</source>
        <translation>总部未接收此记录：%1。请更正后保存以重新发送，或撤回。</translation>
    </message>
    <message>
        <source>Corrected · it is sent again as a new record</source>
        <translation>已更正 · 将作为新记录重新发送</translation>
    </message>
    <message>
        <source>Record withdrawn</source>
        <translation>记录已撤回</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Version %1: “%2”</source>
        <translation>版本 %1：“%2”</translation>
    </message>
    <message>
        <source>Card %1</source>
        <translation>会员卡 %1</translation>
    </message>
    <message>
        <source>Mobile number %1</source>
        <translation>手机号 %1</translation>
    </message>
    <message>
        <source>Member code</source>
        <translation>会员码</translation>
    </message>
    <message>
        <source>Type the note first.</source>
        <translation>请先输入备注。</translation>
    </message>
    <message>
        <source>Say what the case is about.</source>
        <translation>请写明工单是什么问题。</translation>
    </message>
    <message>
        <source>Too long — at most %1 characters.</source>
        <translation>太长了——最多 %1 个字。</translation>
    </message>
    <message>
        <source>Add the products sold.</source>
        <translation>请添加售出的商品。</translation>
    </message>
    <message>
        <source>A quantity is from 1 to %1.</source>
        <translation>数量须在 1 到 %1 之间。</translation>
    </message>
    <message>
        <source>Enter the sale amount.</source>
        <translation>请输入销售金额。</translation>
    </message>
    <message>
        <source>Enter an amount from %1 to %2, in whole fen.</source>
        <translation>请输入 %1 到 %2 之间的金额，精确到分。</translation>
    </message>
    <message>
        <source>Nothing changed.</source>
        <translation>没有变更。</translation>
    </message>
    <message>
        <source>Enter the points to redeem.</source>
        <translation>请输入要兑换的积分。</translation>
    </message>
    <message>
        <source>More points than the balance here.</source>
        <translation>积分超出本机余额。</translation>
    </message>
    <message>
        <source>Enter whole points from 1 to %1.</source>
        <translation>请输入 1 至 %1 的整数积分。</translation>
    </message>
    <message>
        <source>%1 held here</source>
        <translation>本机暂扣 %1</translation>
    </message>
    <message numerus="yes">
        <source>%n sale(s) pending points</source>
        <translation>
            <numerusform>%n 笔销售积分待确认</numerusform>
        </translation>
    </message>
    <message>
        <source>now %1</source>
        <translation>已升为%1</translation>
    </message>
    <message>
        <source>Served as a walk-in: the visit is counted, in no member&apos;s history. Notes, interest, sales, coupons and consent need a member.</source>
        <translation>按非会员接待：到店已计入，不进入任何会员的记录。备注、兴趣、成交、优惠券和授权需要会员。</translation>
    </message>
    <message>
        <source>Recorded for the member with this card or number: the hub matches it when the terminal is back online.</source>
        <translation>已按此卡号或手机号记录：终端恢复联网后由总部匹配会员。</translation>
    </message>
    <message>
        <source>The hub has no member with this card or number. Serve them as a walk-in, or scan or type another card or number.</source>
        <translation>总部没有持此卡号或手机号的会员。可按非会员接待，或扫描、输入其他卡号或手机号。</translation>
    </message>
    <message>
        <source>No member with this card or number on this terminal (offline). Serve them as a walk-in, scan another card or number — or, if they are a member, record for the hub to match when back online.</source>
        <translation>本终端（离线）没有持此卡号或手机号的会员。可按非会员接待、扫描其他卡号或手机号——如确是会员，可先记录，恢复联网后由总部匹配。</translation>
    </message>
    <message>
        <source>Not a member yet? Sign them up here — offline too: they are a member at once.</source>
        <translation>还不是会员？可在这里注册——离线也可以，注册后立即成为会员。</translation>
    </message>
    <message>
        <source>Walk-in</source>
        <translation>非会员接待</translation>
    </message>
    <message>
        <source>Sign up</source>
        <translation>注册会员</translation>
    </message>
    <message>
        <source>Link to a member</source>
        <translation>关联到会员</translation>
    </message>
    <message>
        <source>Another card or number</source>
        <translation>换一个卡号或手机号</translation>
    </message>
    <message>
        <source>A member: the hub matches it</source>
        <translation>是会员：由总部匹配</translation>
    </message>
    <message>
        <source>Needs a member: not for a walk-in or a card or number no one has.</source>
        <translation>需要会员：非会员或无人持有的卡号、手机号不可用。</translation>
    </message>
    <message>
        <source>Managers only: a manager assigns customers to associates.</source>
        <translation>仅限店长：由店长将客户分配给店员。</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Interest</source>
        <translation>兴趣</translation>
    </message>
    <message>
        <source>Redeem</source>
        <translation>核销</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <source>Sale</source>
        <translation>成交</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>工单</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>授权</translation>
    </message>
    <message>
        <source>Follow-up</source>
        <translation>跟进</translation>
    </message>
    <message>
        <source>Assign</source>
        <translation>分配</translation>
    </message>
    <message>
        <source>Next customer</source>
        <translation>下一位顾客</translation>
    </message>
    <message>
        <source>Talking points</source>
        <translation>沟通要点</translation>
    </message>
    <message>
        <source>Nothing stands out — ask how you can help.</source>
        <translation>暂无特别要点 — 问问顾客需要什么帮助。</translation>
    </message>
    <message>
        <source>Online cart</source>
        <translation>线上购物车</translation>
    </message>
    <message>
        <source>The online cart is empty.</source>
        <translation>线上购物车是空的。</translation>
    </message>
    <message>
        <source>Coupons</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <source>No coupons.</source>
        <translation>没有优惠券。</translation>
    </message>
    <message>
        <source>Browsed online</source>
        <translation>线上浏览</translation>
    </message>
    <message>
        <source>No online browsing (or no consent to use it).</source>
        <translation>没有线上浏览记录（或未授权使用）。</translation>
    </message>
    <message>
        <source>Show all %1 products</source>
        <translation>显示全部 %1 件商品</translation>
    </message>
    <message>
        <source>Visits and notes</source>
        <translation>到店与备注</translation>
    </message>
    <message>
        <source>No earlier visits.</source>
        <translation>没有以往到店记录。</translation>
    </message>
    <message>
        <source>Show all %1 entries</source>
        <translation>显示全部 %1 条记录</translation>
    </message>
    <message>
        <source>Open service cases</source>
        <translation>未结服务工单</translation>
    </message>
    <message>
        <source>No open service cases.</source>
        <translation>没有未结的服务工单。</translation>
    </message>
    <message>
        <source>Orders and returns</source>
        <translation>订单与退货</translation>
    </message>
    <message>
        <source>No orders in the last 12 months.</source>
        <translation>近 12 个月没有订单。</translation>
    </message>
    <message>
        <source>Show all %1 orders</source>
        <translation>显示全部 %1 个订单</translation>
    </message>
    <message>
        <source>Wishlist</source>
        <translation>心愿单</translation>
    </message>
    <message>
        <source>Nothing on the wishlist.</source>
        <translation>心愿单是空的。</translation>
    </message>
    <message>
        <source>Member not in this store&apos;s cache</source>
        <translation>本店缓存中没有该会员</translation>
    </message>
    <message>
        <source>New member, pending sync</source>
        <translation>新会员，待同步</translation>
    </message>
    <message>
        <source>Marketing ✓</source>
        <translation>营销 ✓</translation>
    </message>
    <message>
        <source>No marketing</source>
        <translation>不接收营销</translation>
    </message>
    <message>
        <source>Browsing ✓</source>
        <translation>浏览 ✓</translation>
    </message>
    <message>
        <source>No browsing data</source>
        <translation>不使用浏览数据</translation>
    </message>
    <message>
        <source>Card ****%1</source>
        <translation>会员卡 ****%1</translation>
    </message>
    <message>
        <source>Member since %1</source>
        <translation>%1 入会</translation>
    </message>
    <message>
        <source>points</source>
        <translation>积分</translation>
    </message>
    <message>
        <source>%1 points</source>
        <translation>%1 积分</translation>
    </message>
    <message>
        <source>Customer %1, %2, %3 points</source>
        <translation>顾客 %1，%2，%3 积分</translation>
    </message>
    <message>
        <source>%1 · v%2</source>
        <translation>%1 · v%2</translation>
    </message>
    <message>
        <source>as of %1</source>
        <translation>截至 %1</translation>
    </message>
    <message>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message numerus="yes">
        <source>%n pending</source>
        <translation>
            <numerusform>%n 条待同步</numerusform>
        </translation>
    </message>
    <message>
        <source>synced %1</source>
        <translation>%1 已同步</translation>
    </message>
    <message>
        <source>The text is too long — at most %1 characters.</source>
        <translation>文字太长 — 最多 %1 个字。</translation>
    </message>
    <message>
        <source>A sale has at most %1 lines — record the rest separately.</source>
        <translation>一笔销售最多 %1 行 — 其余请另行记录。</translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分钟</translation>
    </message>
    <message>
        <source>Not yet synced</source>
        <translation>尚未同步</translation>
    </message>
    <message>
        <source>Sent, awaiting reply</source>
        <translation>已发送，等待回复</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>已同步</translation>
    </message>
    <message>
        <source>Conflict</source>
        <translation>冲突</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>Corrected</source>
        <translation>已更正</translation>
    </message>
    <message>
        <source>Withdrawn</source>
        <translation>已撤回</translation>
    </message>
    <message>
        <source>Dismissed</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <source>Visit</source>
        <translation>到店</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Product interest</source>
        <translation>商品兴趣</translation>
    </message>
    <message>
        <source>Coupon redeemed</source>
        <translation>优惠券核销</translation>
    </message>
    <message>
        <source>Assisted sale</source>
        <translation>导购成交</translation>
    </message>
    <message>
        <source>Points redeemed</source>
        <translation>积分兑换</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>授权</translation>
    </message>
    <message>
        <source>Case opened</source>
        <translation>工单创建</translation>
    </message>
    <message>
        <source>Case note</source>
        <translation>工单备注</translation>
    </message>
    <message>
        <source>Case closed</source>
        <translation>工单结案</translation>
    </message>
    <message>
        <source>Sign-up</source>
        <translation>会员注册</translation>
    </message>
    <message>
        <source>Identity linked</source>
        <translation>关联身份</translation>
    </message>
    <message>
        <source>Conflict decision</source>
        <translation>冲突处理</translation>
    </message>
    <message>
        <source>Audit record</source>
        <translation>审计记录</translation>
    </message>
    <message>
        <source>Follow-up task</source>
        <translation>跟进任务</translation>
    </message>
    <message>
        <source>Follow-up updated</source>
        <translation>跟进任务更新</translation>
    </message>
    <message>
        <source>Client assigned</source>
        <translation>客户分配</translation>
    </message>
    <message>
        <source>Customer contacted</source>
        <translation>已联系客户</translation>
    </message>
    <message>
        <source>Walk-in (%1)</source>
        <translation>未识别顾客（%1）</translation>
    </message>
    <message>
        <source>Returning</source>
        <translation>回头客</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新顾客</translation>
    </message>
    <message>
        <source>Other terminal</source>
        <translation>其他终端</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>顾客</translation>
    </message>
    <message>
        <source>Associate</source>
        <translation>导购</translation>
    </message>
    <message>
        <source>New or returning</source>
        <translation>新客/回头客</translation>
    </message>
    <message>
        <source>Length</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <source>Unattributed</source>
        <translation>未归属</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>店长</translation>
    </message>
    <message>
        <source>No PIN yet</source>
        <translation>尚未设置 PIN</translation>
    </message>
    <message>
        <source>Could not compute the figures.</source>
        <translation>无法计算数据。</translation>
    </message>
    <message>
        <source>Dashboard: %1</source>
        <translation>看板：%1</translation>
    </message>
    <message>
        <source>%1 at the store</source>
        <translation>%1 门店概况</translation>
    </message>
    <message>
        <source>Same day last week: %1</source>
        <translation>上周同日：%1</translation>
    </message>
    <message>
        <source>Visits</source>
        <translation>到店</translation>
    </message>
    <message>
        <source>%1 records in all</source>
        <translation>共 %1 条记录</translation>
    </message>
    <message>
        <source>Identified / walk-in</source>
        <translation>已识别 / 未识别</translation>
    </message>
    <message>
        <source>members scanned / identities not in the cache</source>
        <translation>已扫码会员 / 缓存中没有的身份</translation>
    </message>
    <message>
        <source>New / returning</source>
        <translation>新客 / 回头客</translation>
    </message>
    <message>
        <source>first visit ever / came before</source>
        <translation>首次到店 / 曾来过</translation>
    </message>
    <message numerus="yes">
        <source>%n sign-up(s) at the counter</source>
        <translation>
            <numerusform>门店注册 %n 人</numerusform>
        </translation>
    </message>
    <message>
        <source>Coupons redeemed</source>
        <translation>核销优惠券</translation>
    </message>
    <message>
        <source>Online carts converted</source>
        <translation>线上购物车转化</translation>
    </message>
    <message>
        <source>Average visit</source>
        <translation>平均接待时长</translation>
    </message>
    <message>
        <source>first to last record of a visit</source>
        <translation>一次到店从第一条到最后一条记录</translation>
    </message>
    <message>
        <source>Points issued / redeemed</source>
        <translation>积分发放 / 兑换</translation>
    </message>
    <message>
        <source>credited by the hub for sales / redeemed at the counters</source>
        <translation>总部为销售发放 / 门店兑换</translation>
    </message>
    <message>
        <source>Did it work?</source>
        <translation>话术效果</translation>
    </message>
    <message>
        <source>no talking points shown yet</source>
        <translation>尚未展示话术</translation>
    </message>
    <message>
        <source>talking points shown, then a sale or redemption in the visit</source>
        <translation>展示话术后，同一次到店有成交或核销</translation>
    </message>
    <message numerus="yes">
        <source>Includes %n record(s) not yet synced</source>
        <translation>
            <numerusform>含 %n 条尚未同步的记录</numerusform>
        </translation>
    </message>
    <message>
        <source>All records synced</source>
        <translation>记录已全部同步</translation>
    </message>
    <message>
        <source>%1 records, the oldest %2 old</source>
        <translation>%1 条记录，最早的已等待 %2</translation>
    </message>
    <message>
        <source>Nothing waiting</source>
        <translation>没有待同步内容</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>Archived: corrected, withdrawn, dismissed (%1)</source>
        <translation>已归档：已更正、已撤回、已驳回（%1）</translation>
    </message>
    <message>
        <source>Rejected by the hub (%1)</source>
        <translation>被总部拒绝（%1）</translation>
    </message>
    <message>
        <source>Coupon conflicts (%1)</source>
        <translation>优惠券冲突（%1）</translation>
    </message>
    <message>
        <source>Needs attention (%1): the hub failed on these by themselves; they are kept, not sent. Send them again once HQ has fixed the hub.</source>
        <translation>需要处理（%1）：总部单独处理这些记录时一再出错；记录已保留，暂不发送。总部修复后请重新发送。</translation>
    </message>
    <message>
        <source>Export visits</source>
        <translation>导出到店记录</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n visit(s) to %1</source>
        <translation>
            <numerusform>已导出 %n 条到店记录到 %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <source>Decision recorded; it syncs to the hub</source>
        <translation>处理结果已记录，将同步到总部</translation>
    </message>
    <message>
        <source>Record withdrawn</source>
        <translation>记录已撤回</translation>
    </message>
    <message>
        <source>Record dismissed</source>
        <translation>记录已驳回</translation>
    </message>
    <message numerus="yes">
        <source>%n record(s) will be sent again</source>
        <translation>
            <numerusform>%n 条记录将重新发送</numerusform>
        </translation>
    </message>
    <message>
        <source>Sales</source>
        <translation>成交</translation>
    </message>
    <message>
        <source>Sales amount</source>
        <translation>成交金额</translation>
    </message>
    <message>
        <source>Coupons</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <source>The store (unassigned)</source>
        <translation>本店（未分配）</translation>
    </message>
    <message>
        <source>Clients</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>未完成</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已逾期</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>已升级</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>货号</translation>
    </message>
    <message>
        <source>Asked about</source>
        <translation>咨询过</translation>
    </message>
    <message>
        <source>Card ****%1</source>
        <translation>会员卡 ****%1</translation>
    </message>
    <message>
        <source>A phone number (not on this terminal)</source>
        <translation>手机号（本终端无此会员）</translation>
    </message>
    <message>
        <source>A member code (not on this terminal)</source>
        <translation>会员码（本终端无此会员）</translation>
    </message>
    <message>
        <source>Walk-in</source>
        <translation>非会员</translation>
    </message>
    <message>
        <source>%1 by %2</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>The hub&apos;s answer</source>
        <translation>总部的答复</translation>
    </message>
    <message>
        <source>Tries</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <source>Elsewhere (%1)</source>
        <translation>他处（%1）</translation>
    </message>
    <message>
        <source>Coupon</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <source>Redeemed here</source>
        <translation>本店核销</translation>
    </message>
    <message>
        <source>Already redeemed</source>
        <translation>已被核销</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>正在计算…</translation>
    </message>
    <message>
        <source>Today at the store</source>
        <translation>今日门店</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Show today</source>
        <translation>显示今天</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Compute the figures again</source>
        <translation>重新计算数据</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <source>Export the day&apos;s visits as CSV</source>
        <translation>将当天的到店记录导出为 CSV</translation>
    </message>
    <message>
        <source>Day shown</source>
        <translation>显示日期</translation>
    </message>
    <message>
        <source>Visits by hour</source>
        <translation>按小时统计到店</translation>
    </message>
    <message>
        <source>Click a bar (or pick an hour below) to list its visits.</source>
        <translation>点击柱形（或在下方选择小时）查看该时段的到店记录。</translation>
    </message>
    <message>
        <source>All hours</source>
        <translation>全部时段</translation>
    </message>
    <message>
        <source>Hour to list</source>
        <translation>要查看的时段</translation>
    </message>
    <message>
        <source>Show all</source>
        <translation>显示全部</translation>
    </message>
    <message>
        <source>Show all visits of the day</source>
        <translation>显示当天全部到店</translation>
    </message>
    <message>
        <source>Associates</source>
        <translation>导购</translation>
    </message>
    <message>
        <source>Follow-ups and client book</source>
        <translation>跟进任务与客户名册</translation>
    </message>
    <message>
        <source>Follow-ups</source>
        <translation>跟进任务</translation>
    </message>
    <message>
        <source>Products asked about</source>
        <translation>被咨询的商品</translation>
    </message>
    <message>
        <source>Sync health</source>
        <translation>同步状态</translation>
    </message>
    <message>
        <source>Waiting to sync</source>
        <translation>等待同步</translation>
    </message>
    <message>
        <source>Last successful sync</source>
        <translation>最近一次成功同步</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>最近一次错误</translation>
    </message>
    <message>
        <source>Rejected by the hub</source>
        <translation>被总部拒绝</translation>
    </message>
    <message>
        <source>Coupon conflicts</source>
        <translation>优惠券冲突</translation>
    </message>
    <message>
        <source>Needs attention</source>
        <translation>需要处理</translation>
    </message>
    <message>
        <source>Show archived</source>
        <translation>显示已归档</translation>
    </message>
    <message>
        <source>List the records corrected, withdrawn or dismissed</source>
        <translation>列出已更正、已撤回或已驳回的记录</translation>
    </message>
    <message>
        <source>Select a rejected or parked record to fix, withdraw or dismiss it.</source>
        <translation>选择一条被拒绝或暂停发送的记录，以更正、撤回或驳回。</translation>
    </message>
    <message>
        <source>Fix and resend</source>
        <translation>更正并重发</translation>
    </message>
    <message>
        <source>Open the selected record&apos;s form to correct it and send it again</source>
        <translation>打开所选记录的表单，更正后重新发送</translation>
    </message>
    <message>
        <source>Withdraw</source>
        <translation>撤回</translation>
    </message>
    <message>
        <source>Withdraw the selected record: kept, never sent, never counted</source>
        <translation>撤回所选记录：保留，但不再发送，也不计入统计</translation>
    </message>
    <message>
        <source>Reason for dismissing</source>
        <translation>驳回原因</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>驳回</translation>
    </message>
    <message>
        <source>Dismiss the selected record with the reason given</source>
        <translation>按所填原因驳回所选记录</translation>
    </message>
    <message>
        <source>Send again</source>
        <translation>重新发送</translation>
    </message>
    <message>
        <source>Send the records that need attention to the hub again</source>
        <translation>将需要处理的记录重新发送到总部</translation>
    </message>
    <message>
        <source>Columns</source>
        <translation>列标题</translation>
    </message>
    <message>
        <source>Accept both</source>
        <translation>两边都认可</translation>
    </message>
    <message>
        <source>Accept: keep both redemptions of the selected coupon</source>
        <translation>认可：保留所选优惠券的两次核销</translation>
    </message>
    <message>
        <source>Reverse ours</source>
        <translation>撤销本店核销</translation>
    </message>
    <message>
        <source>Reverse: undo this store&apos;s redemption of the coupon</source>
        <translation>撤销：取消本店对该优惠券的核销</translation>
    </message>
</context>
<context>
    <name>Demo</name>
    <message>
        <source>Demo member codes</source>
        <translation>演示会员码</translation>
    </message>
    <message>
        <source>Member code of %1</source>
        <translation>%1 的会员码</translation>
    </message>
    <message>
        <source>Call when size 38 arrives</source>
        <translation>38 码到货后给她打电话</translation>
    </message>
    <message>
        <source>Tell her the watch strap is back in blue</source>
        <translation>告诉她蓝色表带到货了</translation>
    </message>
    <message>
        <source>Asked about the watch strap in blue.</source>
        <translation>询问了蓝色表带。</translation>
    </message>
    <message>
        <source>The customer did not want it kept</source>
        <translation>顾客不希望保留此记录</translation>
    </message>
    <message>
        <source>Chen Yu</source>
        <translation>陈雨</translation>
    </message>
</context>
<context>
    <name>Enrol</name>
    <message>
        <source>The hub&apos;s address must start with https:// — http:// only for a hub on this machine.</source>
        <translation>总部服务器地址必须以 https:// 开头 — 只有本机上的服务器才能用 http://。</translation>
    </message>
    <message>
        <source>Enter the hub&apos;s full address, starting with https:// or http://.</source>
        <translation>请输入完整的总部服务器地址，以 https:// 或 http:// 开头。</translation>
    </message>
    <message>
        <source>That is not an enrolment code — scan the enrolment QR code from IT or HQ.</source>
        <translation>这不是注册码 — 请扫描 IT 或总部提供的注册二维码。</translation>
    </message>
    <message>
        <source>The hub does not answer at this address — check the address and the network connection, then try again.</source>
        <translation>该地址没有响应 — 请检查总部服务器地址和网络连接，然后重试。</translation>
    </message>
    <message>
        <source>This code has already been used — ask for a new one.</source>
        <translation>该注册码已被使用 — 请申请新的注册码。</translation>
    </message>
    <message>
        <source>This code has expired — ask for a new one.</source>
        <translation>该注册码已过期 — 请申请新的注册码。</translation>
    </message>
    <message>
        <source>The hub does not accept this code for this store — check the store ID and the code.</source>
        <translation>总部不接受该门店使用此注册码 — 请核对门店编号和注册码。</translation>
    </message>
    <message>
        <source>The hub is busy right now — try again in a minute.</source>
        <translation>总部服务器繁忙 — 请一分钟后重试。</translation>
    </message>
    <message>
        <source>Something answers at this address, but it is not an Omni Clerk hub — check the address.</source>
        <translation>该地址有响应，但不是全渠道导购台的总部服务器 — 请核对地址。</translation>
    </message>
    <message>
        <source>The hub refused the enrolment: %1</source>
        <translation>总部拒绝了注册：%1</translation>
    </message>
    <message numerus="yes">
        <source>about %n second(s) left</source>
        <translation>
            <numerusform>约剩 %n 秒</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n minute(s) left</source>
        <translation>
            <numerusform>约剩 %n 分钟</numerusform>
        </translation>
    </message>
    <message>
        <source>Read the enrolment QR code from an image</source>
        <translation>从图片读取注册二维码</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)</source>
        <translation>图片 (*.png *.jpg *.jpeg *.bmp *.gif *.webp)</translation>
    </message>
    <message>
        <source>Enter the hub address.</source>
        <translation>请输入总部服务器地址。</translation>
    </message>
    <message>
        <source>Enter the store ID.</source>
        <translation>请输入门店编号。</translation>
    </message>
    <message>
        <source>Enter or scan the enrolment code.</source>
        <translation>请输入或扫描注册码。</translation>
    </message>
    <message>
        <source>Connecting to the hub…</source>
        <translation>正在连接总部…</translation>
    </message>
    <message>
        <source>Enrolled to %1 (%2) at %3.</source>
        <translation>已注册到 %1（%2），总部服务器 %3。</translation>
    </message>
    <message>
        <source>Asking the hub for the store&apos;s data…</source>
        <translation>正在向总部请求本店数据…</translation>
    </message>
    <message numerus="yes">
        <source>%n record(s) downloaded…</source>
        <translation>
            <numerusform>已下载 %n 条记录…</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 of %2 records</source>
        <translation>%1 / %2 条记录</translation>
    </message>
    <message numerus="yes">
        <source>Done — %n record(s) downloaded.</source>
        <translation>
            <numerusform>完成 — 已下载 %n 条记录。</numerusform>
        </translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
    <message>
        <source>The terminal is enrolled; the download stopped. What arrived is kept.</source>
        <translation>终端已注册，但下载中断。已下载的数据会保留。</translation>
    </message>
    <message>
        <source>Set up this terminal</source>
        <translation>设置本终端</translation>
    </message>
    <message>
        <source>Connect it to your store&apos;s hub once. IT or HQ gives you the hub address, the store ID and a one-time enrolment code (also printed as a QR code).</source>
        <translation>只需连接一次本店的总部服务器。IT 或总部会提供服务器地址、门店编号和一次性注册码（也会以二维码形式提供）。</translation>
    </message>
    <message>
        <source>1 · Connect to the hub</source>
        <translation>1 · 连接总部</translation>
    </message>
    <message>
        <source>2 · Download the store&apos;s data</source>
        <translation>2 · 下载本店数据</translation>
    </message>
    <message>
        <source>Enrolment</source>
        <translation>终端注册</translation>
    </message>
    <message>
        <source>Hub address</source>
        <translation>总部服务器地址</translation>
    </message>
    <message>
        <source>For example https://hub.example.com</source>
        <translation>例如 https://hub.example.com</translation>
    </message>
    <message>
        <source>Store ID</source>
        <translation>门店编号</translation>
    </message>
    <message>
        <source>For example S001</source>
        <translation>例如 S001</translation>
    </message>
    <message>
        <source>Enrolment code</source>
        <translation>注册码</translation>
    </message>
    <message>
        <source>Type the code, scan its QR code with the scanner, or read it from the QR image file.</source>
        <translation>输入注册码、用扫码枪扫描其二维码，或从二维码图片文件读取。</translation>
    </message>
    <message>
        <source>Name of this terminal</source>
        <translation>终端名称</translation>
    </message>
    <message>
        <source>For example Counter 2</source>
        <translation>例如：2 号收银台</translation>
    </message>
    <message>
        <source>From image…</source>
        <translation>从图片…</translation>
    </message>
    <message>
        <source>Read the code from a QR image</source>
        <translation>从二维码图片读取注册码</translation>
    </message>
    <message>
        <source>Downloading the store&apos;s data</source>
        <translation>正在下载本店数据</translation>
    </message>
    <message>
        <source>Download progress</source>
        <translation>下载进度</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>Downloading…</source>
        <translation>正在下载…</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Nothing is lost if the connection fails: your entries stay here and you can try again.</source>
        <translation>连接失败也不会丢失任何内容：已填写的信息会保留，可以直接重试。</translation>
    </message>
</context>
<context>
    <name>Fields</name>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Interest note</source>
        <translation>兴趣备注</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Sale note</source>
        <translation>销售备注</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Products sold</source>
        <translation>售出商品</translation>
    </message>
    <message>
        <source>Coupon</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <source>Points note</source>
        <translation>积分兑换备注</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>授权</translation>
    </message>
    <message>
        <source>Case subject</source>
        <translation>工单主题</translation>
    </message>
    <message>
        <source>Case note</source>
        <translation>工单备注</translation>
    </message>
    <message>
        <source>What to do</source>
        <translation>要做的事</translation>
    </message>
</context>
<context>
    <name>FollowUps</name>
    <message>
        <source>Follow-up done · pending sync</source>
        <translation>跟进已完成 · 待同步</translation>
    </message>
    <message>
        <source>Follow-up snoozed · pending sync</source>
        <translation>跟进已延后 · 待同步</translation>
    </message>
    <message>
        <source>Follow-up reassigned · pending sync</source>
        <translation>跟进已转交 · 待同步</translation>
    </message>
    <message>
        <source>Contact recorded · pending sync</source>
        <translation>已记录联系 · 待同步</translation>
    </message>
    <message>
        <source>This follow-up is done already.</source>
        <translation>此跟进已完成。</translation>
    </message>
    <message>
        <source>This follow-up is not on this terminal.</source>
        <translation>此终端上没有这项跟进。</translation>
    </message>
    <message>
        <source>That associate is not staff here.</source>
        <translation>该店员不属于本店。</translation>
    </message>
    <message>
        <source>No marketing consent: this customer may not be contacted.</source>
        <translation>无营销许可：不可联系此客户。</translation>
    </message>
    <message>
        <source>Not seen for 30 days</source>
        <translation>30 天未到店</translation>
    </message>
    <message>
        <source>Cart with a coupon expiring soon</source>
        <translation>购物车有商品，优惠券即将过期</translation>
    </message>
    <message>
        <source>Birthday coming</source>
        <translation>生日将至</translation>
    </message>
    <message>
        <source>Visited, nobody served them</source>
        <translation>到店后无人接待</translation>
    </message>
    <message>
        <source>due %1</source>
        <translation>%1 到期</translation>
    </message>
    <message>
        <source>For the store</source>
        <translation>归门店</translation>
    </message>
    <message>
        <source>For %1</source>
        <translation>归 %1</translation>
    </message>
    <message>
        <source>Pending sync</source>
        <translation>待同步</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>已升级</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已逾期</translation>
    </message>
    <message>
        <source>The store</source>
        <translation>门店</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <source>Follow-ups</source>
        <translation>跟进</translation>
    </message>
    <message>
        <source>Open follow-ups, the overdue first</source>
        <translation>待办跟进（逾期优先）</translation>
    </message>
    <message>
        <source>No open follow-ups. Well done.</source>
        <translation>没有待办跟进，做得好。</translation>
    </message>
    <message>
        <source>Follow-up tasks</source>
        <translation>跟进任务</translation>
    </message>
    <message>
        <source>The selected follow-up</source>
        <translation>所选跟进</translation>
    </message>
    <message>
        <source>Called</source>
        <translation>已致电</translation>
    </message>
    <message>
        <source>Messaged</source>
        <translation>已发消息</translation>
    </message>
    <message>
        <source>Came in</source>
        <translation>已到店</translation>
    </message>
    <message>
        <source>No answer</source>
        <translation>未接听</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Mark contacted</source>
        <translation>标记已联系</translation>
    </message>
    <message>
        <source>Until</source>
        <translation>延至</translation>
    </message>
    <message>
        <source>Snooze until</source>
        <translation>延后至</translation>
    </message>
    <message>
        <source>Snooze</source>
        <translation>延后</translation>
    </message>
    <message>
        <source>To</source>
        <translation>转给</translation>
    </message>
    <message>
        <source>Reassign to</source>
        <translation>转交给</translation>
    </message>
    <message>
        <source>Reassign</source>
        <translation>转交</translation>
    </message>
    <message>
        <source>Saved here at once and synced to every terminal; a manager hands a task to an associate, anyone to the store.</source>
        <translation>立即在本机保存并同步到所有终端；店长可将任务转交给店员，任何人都可转交给门店。</translation>
    </message>
</context>
<context>
    <name>Format</name>
    <message>
        <source>today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>tomorrow</source>
        <translation>明天</translation>
    </message>
    <message>
        <source>yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>刚刚</translation>
    </message>
    <message numerus="yes">
        <source>%n min ago</source>
        <translation>
            <numerusform>%n 分钟前</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h ago</source>
        <translation>
            <numerusform>%n 小时前</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n days ago</source>
        <translation>
            <numerusform>%n 天前</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HubReasons</name>
    <message>
        <source>the record is damaged and cannot be read</source>
        <translation>记录已损坏，无法读取</translation>
    </message>
    <message>
        <source>the record is incomplete or has a value out of bounds</source>
        <translation>记录不完整或有数值超出范围</translation>
    </message>
    <message>
        <source>another record was already sent under the same id</source>
        <translation>已有另一条记录使用了相同的编号</translation>
    </message>
    <message>
        <source>this terminal looks like a copy of another one — call IT</source>
        <translation>本终端疑似另一台终端的副本 — 请联系 IT</translation>
    </message>
    <message>
        <source>no member has this code or number</source>
        <translation>没有会员使用此会员码或号码</translation>
    </message>
    <message>
        <source>the staff member&apos;s role may not record this</source>
        <translation>该员工的角色无权记录此项</translation>
    </message>
    <message>
        <source>recorded by someone who is not staff of this store</source>
        <translation>记录人不是本店员工</translation>
    </message>
    <message>
        <source>the member is of another store and was not identified at this terminal</source>
        <translation>该会员属于其他门店，且未在本终端识别</translation>
    </message>
    <message>
        <source>recorded with a time in the future — check the terminal&apos;s clock</source>
        <translation>记录时间晚于当前时间——请检查终端时钟</translation>
    </message>
    <message>
        <source>recorded too long ago for the hub to take — check the terminal&apos;s clock</source>
        <translation>记录时间过早，中心不予接收——请检查终端时钟</translation>
    </message>
    <message>
        <source>the coupon is unknown</source>
        <translation>优惠券不存在</translation>
    </message>
    <message>
        <source>the hub has no such case for this member</source>
        <translation>总部没有该会员的这张工单</translation>
    </message>
    <message>
        <source>a case with this id exists already</source>
        <translation>已有相同编号的工单</translation>
    </message>
    <message>
        <source>the coupon is another member&apos;s</source>
        <translation>优惠券属于其他会员</translation>
    </message>
    <message>
        <source>the coupon was withdrawn</source>
        <translation>优惠券已作废</translation>
    </message>
    <message>
        <source>the coupon was already redeemed elsewhere</source>
        <translation>优惠券已在别处核销</translation>
    </message>
    <message>
        <source>the coupon had expired</source>
        <translation>优惠券已过期</translation>
    </message>
    <message>
        <source>the coupon was not valid yet</source>
        <translation>优惠券尚未生效</translation>
    </message>
    <message>
        <source>more points than the balance: redeemed at another terminal too</source>
        <translation>超出积分余额：另一台终端也兑换了</translation>
    </message>
    <message>
        <source>the record it decides on is unknown</source>
        <translation>所处理的记录不存在</translation>
    </message>
    <message>
        <source>the phone number of the sign-up cannot be read</source>
        <translation>注册的手机号无法读取</translation>
    </message>
    <message>
        <source>the number was a member&apos;s already: the sign-up joined them</source>
        <translation>该号码已属于一位会员：本次注册已并入该会员</translation>
    </message>
    <message>
        <source>the member&apos;s code or number did not prove who they are</source>
        <translation>会员码或手机号未能证明会员身份</translation>
    </message>
    <message>
        <source>the card number linked is not one</source>
        <translation>要关联的卡号无效</translation>
    </message>
    <message>
        <source>the card, number or account linked is another member&apos;s: for a person</source>
        <translation>要关联的卡号、手机号或账号属于另一位会员：需人工处理</translation>
    </message>
    <message>
        <source>the same member code was also scanned at another terminal</source>
        <translation>同一会员码也在另一台终端被扫描</translation>
    </message>
    <message>
        <source>the customer has not agreed to be contacted</source>
        <translation>顾客未同意接收营销联系</translation>
    </message>
    <message>
        <source>the follow-up task is unknown</source>
        <translation>跟进任务不存在</translation>
    </message>
    <message>
        <source>the assignee is not staff of the store</source>
        <translation>负责人不是本店员工</translation>
    </message>
    <message>
        <source>the follow-up was already done at another terminal</source>
        <translation>该跟进任务已在另一台终端完成</translation>
    </message>
    <message>
        <source>audit rows are missing before this one</source>
        <translation>此条之前的审计记录有缺失</translation>
    </message>
    <message>
        <source>the audit log was rewritten before this row</source>
        <translation>此条之前的审计日志被改写过</translation>
    </message>
    <message>
        <source>this audit row was edited</source>
        <translation>此条审计记录被修改过</translation>
    </message>
    <message>
        <source>this audit row cannot be read</source>
        <translation>此条审计记录无法读取</translation>
    </message>
    <message>
        <source>this audit row was sent again with other content</source>
        <translation>此条审计记录被以不同内容重复发送</translation>
    </message>
    <message>
        <source>the hub refused it</source>
        <translation>总部拒绝了此记录</translation>
    </message>
</context>
<context>
    <name>Link</name>
    <message>
        <source>Card linked to %1 · will sync</source>
        <translation>卡号已关联到 %1 · 稍后同步</translation>
    </message>
    <message>
        <source>Number linked to %1 · will sync</source>
        <translation>手机号已关联到 %1 · 稍后同步</translation>
    </message>
    <message>
        <source>The link was not applied — %1</source>
        <translation>关联未生效 — %1</translation>
    </message>
    <message>
        <source>ask a store manager</source>
        <translation>请联系店长</translation>
    </message>
    <message>
        <source>This card or number cannot be linked: scan or type it again.</source>
        <translation>无法关联此卡号或手机号：请重新扫描或输入。</translation>
    </message>
    <message>
        <source>No member on this terminal has this code or number. Scan the member&apos;s code, or sync and try again.</source>
        <translation>本终端没有持此会员码或手机号的会员。请扫描会员码，或同步后重试。</translation>
    </message>
    <message>
        <source>Scan the member&apos;s code, or type their full mobile number (e.g. 138 1234 5678).</source>
        <translation>请扫描会员码，或输入会员的完整手机号（例如 138 1234 5678）。</translation>
    </message>
    <message>
        <source>Link to a member</source>
        <translation>关联到会员</translation>
    </message>
    <message>
        <source>Card %1: linked to the member who proves who they are.</source>
        <translation>卡号 %1：将关联到能证明身份的会员。</translation>
    </message>
    <message>
        <source>Number %1: linked to the member who proves who they are.</source>
        <translation>手机号 %1：将关联到能证明身份的会员。</translation>
    </message>
    <message>
        <source>Member&apos;s code or full mobile number</source>
        <translation>会员码或完整手机号</translation>
    </message>
    <message>
        <source>Scan the code in the member&apos;s app, or type the mobile number they joined with.</source>
        <translation>扫描会员 App 中的会员码，或输入其注册时的手机号。</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>关联</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Read a member code from an image</source>
        <translation>从图片读取会员码</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)</source>
        <translation>图片 (*.png *.jpg *.jpeg *.bmp *.gif *.webp)</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <source>Omni Clerk</source>
        <translation>全渠道导购台</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <source>Back (Esc)</source>
        <translation>返回（Esc）</translation>
    </message>
    <message>
        <source>Scan or type the next member (F2)</source>
        <translation>扫码或输入下一位会员（F2）</translation>
    </message>
    <message>
        <source>Next member code, card or phone</source>
        <translation>下一位会员的会员码、卡号或手机号</translation>
    </message>
    <message>
        <source>Switch language</source>
        <translation>切换语言</translation>
    </message>
    <message>
        <source>Switch language (Ctrl+L)</source>
        <translation>切换语言（Ctrl+L）</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Settings (F10)</source>
        <translation>设置（F10）</translation>
    </message>
    <message>
        <source>My customers</source>
        <translation>我的客户</translation>
    </message>
    <message>
        <source>My customers (Ctrl+B)</source>
        <translation>我的客户 (Ctrl+B)</translation>
    </message>
    <message>
        <source>Follow-ups</source>
        <translation>跟进</translation>
    </message>
    <message>
        <source>Follow-ups (Ctrl+U)</source>
        <translation>跟进 (Ctrl+U)</translation>
    </message>
    <message>
        <source>Store dashboard</source>
        <translation>门店看板</translation>
    </message>
    <message>
        <source>Store dashboard (Ctrl+D)</source>
        <translation>门店看板（Ctrl+D）</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Sign out and lock the terminal (Ctrl+Shift+L)</source>
        <translation>退出登录并锁定终端（Ctrl+Shift+L）</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
</context>
<context>
    <name>Offer</name>
    <message>
        <source>%1% off</source>
        <comment>%2 is the Chinese zhe rate, e.g. 8</comment>
        <translation>%2折</translation>
    </message>
    <message>
        <source>%1 off</source>
        <translation>减%1</translation>
    </message>
    <message>
        <source>on orders from %1</source>
        <translation>满%1可用</translation>
    </message>
    <message>
        <source>selected products only</source>
        <translation>限指定商品</translation>
    </message>
    <message>
        <source>on everything</source>
        <translation>全场通用</translation>
    </message>
    <message>
        <source>Redeemed here · pending sync</source>
        <translation>本店已核销 · 待同步</translation>
    </message>
    <message>
        <source>Used %1</source>
        <translation>%1 已使用</translation>
    </message>
    <message>
        <source>Used</source>
        <translation>已使用</translation>
    </message>
    <message>
        <source>Valid from %1</source>
        <translation>%1 起可用</translation>
    </message>
    <message>
        <source>Expired %1</source>
        <translation>%1 已过期</translation>
    </message>
    <message>
        <source>Expires %1</source>
        <translation>%1到期</translation>
    </message>
</context>
<context>
    <name>Outreach</name>
    <message>
        <source>No marketing consent: no message to this customer.</source>
        <translation>未同意营销信息：不能给此顾客发消息。</translation>
    </message>
    <message>
        <source>Message copied</source>
        <translation>消息已复制</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Message to %1</source>
        <translation>发给 %1 的消息</translation>
    </message>
    <message>
        <source>The message</source>
        <translation>消息内容</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>分享</translation>
    </message>
    <message>
        <source>Mark contacted</source>
        <translation>标记已联系</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Edit it if you like, then copy or share it, and mark the contact.</source>
        <translation>可按需修改，然后复制或分享，并标记已联系。</translation>
    </message>
    <message>
        <source>This terminal holds no phone number or e-mail: copy the message, send it from the store&apos;s phone, then mark the contact.</source>
        <translation>本终端没有顾客的完整手机号或邮箱：请复制消息，用门店手机发送，然后标记已联系。</translation>
    </message>
</context>
<context>
    <name>Panels</name>
    <message>
        <source>Added %1</source>
        <translation>%1加入</translation>
    </message>
    <message>
        <source>no longer sold</source>
        <translation>已停售</translation>
    </message>
    <message>
        <source>Coupon: %1 · %2</source>
        <translation>优惠券：%1 · %2</translation>
    </message>
    <message>
        <source>Qty %1</source>
        <translation>数量 %1</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message numerus="yes">
        <source>%n view(s)</source>
        <translation>
            <numerusform>浏览 %n 次</numerusform>
        </translation>
    </message>
    <message>
        <source>Rejected — fix</source>
        <translation>被拒绝 — 更正</translation>
    </message>
    <message>
        <source>Not sent — fix</source>
        <translation>未发送 — 更正</translation>
    </message>
    <message>
        <source>Opened %1</source>
        <translation>%1 创建</translation>
    </message>
    <message>
        <source>Returned %1</source>
        <translation>%1 退货</translation>
    </message>
    <message>
        <source>Open repair #%1: %2</source>
        <translation>未结维修 #%1：%2</translation>
    </message>
    <message>
        <source>Open complaint #%1: %2</source>
        <translation>未结投诉 #%1：%2</translation>
    </message>
    <message>
        <source>Open case #%1: %2</source>
        <translation>未结工单 #%1：%2</translation>
    </message>
    <message>
        <source>today</source>
        <translation>今天</translation>
    </message>
    <message numerus="yes">
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n 天</numerusform>
        </translation>
    </message>
    <message>
        <source>An order</source>
        <translation>一笔订单</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>%1 and %2 more</source>
        <translation>%1 等另外 %2 件</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message numerus="yes">
        <source>%n item(s), %1</source>
        <translation>
            <numerusform>%n 件，%1</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>%1 points</source>
        <translation>%1 积分</translation>
    </message>
    <message>
        <source>marketing: %1</source>
        <translation>营销消息：%1</translation>
    </message>
    <message>
        <source>browsing: %1</source>
        <translation>浏览记录：%1</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>同意</translation>
    </message>
    <message>
        <source>no</source>
        <translation>不同意</translation>
    </message>
    <message>
        <source>Hub says: %1</source>
        <translation>总部反馈：%1</translation>
    </message>
</context>
<context>
    <name>Reasons</name>
    <message>
        <source>Nothing was scanned — scan the member code again or type the card or phone number.</source>
        <translation>没有扫到内容 — 请重新扫描会员码，或输入卡号或手机号。</translation>
    </message>
    <message>
        <source>This is not a complete member code, card or phone number — scan again or check the digits.</source>
        <translation>这不是完整的会员码、卡号或手机号 — 请重新扫描或核对号码。</translation>
    </message>
    <message>
        <source>This looks like a mobile number typed wrong: a mobile number has 11 digits and starts with 13–19 — check the number.</source>
        <translation>手机号似乎输错了：手机号为 11 位，以 13–19 开头——请检查号码。</translation>
    </message>
    <message>
        <source>The card number&apos;s check digit is wrong — check the digits or scan the card. Product barcodes are not member cards.</source>
        <translation>卡号校验位不正确 — 请核对号码或扫描会员卡。商品条码不是会员卡。</translation>
    </message>
    <message>
        <source>This product barcode&apos;s check digit is wrong — scan it again or type the digits printed under it.</source>
        <translation>此商品条码的校验位不正确 — 请重新扫描，或输入条码下方印的数字。</translation>
    </message>
    <message>
        <source>That is a product barcode, not a member code, card or phone number.</source>
        <translation>这是商品条码，不是会员码、会员卡号或手机号。</translation>
    </message>
    <message>
        <source>That is a web link, not a member code — ask the customer to open the member code in the app.</source>
        <translation>这是网页链接，不是会员码 — 请顾客在 App 中打开会员码。</translation>
    </message>
    <message>
        <source>That is a Wi-Fi QR code, not a member code — ask the customer to open the member code in the app.</source>
        <translation>这是 Wi-Fi 二维码，不是会员码 — 请顾客在 App 中打开会员码。</translation>
    </message>
    <message>
        <source>That is not a member code — ask the customer to open the member code in the app, or type the card or phone number.</source>
        <translation>这不是会员码 — 请顾客在 App 中打开会员码，或输入卡号或手机号。</translation>
    </message>
    <message>
        <source>The scan is far too long to be a member code — scan the member code again.</source>
        <translation>扫描内容太长，不可能是会员码 — 请重新扫描会员码。</translation>
    </message>
    <message>
        <source>This member code was signed with a key this terminal does not know yet — connect to sync the keys, or type the card or phone number.</source>
        <translation>该会员码使用了本终端尚未获取的密钥签名 — 请联网同步密钥，或输入卡号或手机号。</translation>
    </message>
    <message>
        <source>This member code is not genuine — ask the customer to refresh the member code in the app, or type the card or phone number.</source>
        <translation>该会员码无效（签名不符）— 请顾客在 App 中刷新会员码，或输入卡号或手机号。</translation>
    </message>
    <message>
        <source>This code has expired — ask the customer to refresh the member code in the app.</source>
        <translation>会员码已过期 — 请顾客在 App 中刷新会员码。</translation>
    </message>
    <message>
        <source>This code is not valid yet — check this terminal&apos;s clock, or ask the customer to refresh the member code in the app.</source>
        <translation>会员码尚未生效 — 请检查本终端的时钟，或请顾客在 App 中刷新会员码。</translation>
    </message>
    <message>
        <source>Phone lookup is not available until this terminal has synced once — scan the member code or type the card number.</source>
        <translation>本终端完成首次同步后才能按手机号查询 — 请扫描会员码或输入卡号。</translation>
    </message>
    <message>
        <source>No code was found in the image — hold the code steady and closer, or type the card or phone number.</source>
        <translation>图片中没有找到条码 — 请将条码拿稳并靠近，或输入卡号或手机号。</translation>
    </message>
    <message>
        <source>The file is not a readable image — choose a PNG or JPEG file.</source>
        <translation>该文件不是可读取的图片 — 请选择 PNG 或 JPEG 文件。</translation>
    </message>
    <message>
        <source>No camera found — use the scanner, or type the card or phone number.</source>
        <translation>未找到摄像头 — 请使用扫码枪，或输入卡号或手机号。</translation>
    </message>
    <message>
        <source>This app may not use the camera — allow camera access in the system settings, or use the scanner.</source>
        <translation>本应用无权使用摄像头 — 请在系统设置中允许访问摄像头，或使用扫码枪。</translation>
    </message>
    <message>
        <source>The camera stopped working — pick another camera or use the scanner.</source>
        <translation>摄像头已停止工作 — 请选择其他摄像头或使用扫码枪。</translation>
    </message>
    <message>
        <source>The clipboard holds no image or text to read — copy the code first.</source>
        <translation>剪贴板中没有可读取的图片或文字 — 请先复制会员码。</translation>
    </message>
    <message>
        <source>Not in this store&apos;s cache — will sync. You can still record what happens; it is matched to the member later.</source>
        <translation>本店缓存中没有该会员 — 将在同步后补齐。仍可照常记录，稍后会自动关联到会员。</translation>
    </message>
    <message>
        <source>The hub knows no member with this code or number — check it, or ask the customer to open the member code in the app.</source>
        <translation>总部没有该会员码或号码对应的会员 — 请核对，或请顾客在 App 中打开会员码。</translation>
    </message>
    <message>
        <source>The hub cannot be reached — working offline; records sync later.</source>
        <translation>无法连接总部 — 正在离线工作，记录稍后同步。</translation>
    </message>
    <message>
        <source>This terminal was removed from the store — ask IT. Nothing recorded here is lost.</source>
        <translation>本终端已被移出门店 — 请联系 IT。此处已记录的内容不会丢失。</translation>
    </message>
    <message>
        <source>The hub does not accept this terminal&apos;s credentials — ask IT to enrol it again. Nothing recorded here is lost.</source>
        <translation>总部不接受本终端的凭据 — 请联系 IT 重新注册。此处已记录的内容不会丢失。</translation>
    </message>
    <message>
        <source>This terminal cannot read or write its data files — free disk space or call IT. Nothing recorded so far is lost.</source>
        <translation>本终端无法读写数据文件 — 请清理磁盘空间或联系 IT。已记录的内容不会丢失。</translation>
    </message>
    <message>
        <source>The local cache was damaged and is being rebuilt from the hub.</source>
        <translation>本地缓存已损坏，正在从总部重建。</translation>
    </message>
    <message>
        <source>Rebuilding the customer cache (it was damaged) — scan again; until it is back, customers are looked up at the hub. Nothing recorded is lost.</source>
        <translation>正在重建客户缓存（缓存已损坏）— 请重新扫码；重建完成前，将在总部查询客户。已记录的内容不会丢失。</translation>
    </message>
    <message>
        <source>This terminal&apos;s disk is full — free some space or call IT. Nothing recorded so far is lost.</source>
        <translation>本终端磁盘已满 — 请清理磁盘空间或联系 IT。已记录的内容不会丢失。</translation>
    </message>
    <message>
        <source>This terminal ran out of memory — close other programs or restart the terminal. Nothing recorded so far is lost.</source>
        <translation>本终端内存不足 — 请关闭其他程序或重启终端。已记录的内容不会丢失。</translation>
    </message>
    <message>
        <source>This terminal may not read or write its data files — call IT to fix their permissions. Nothing recorded so far is lost.</source>
        <translation>本终端无权读写数据文件 — 请联系 IT 修复文件权限。已记录的内容不会丢失。</translation>
    </message>
    <message>
        <source>Your role does not allow this — ask a store manager.</source>
        <translation>您的角色无权执行此操作 — 请联系店长。</translation>
    </message>
    <message>
        <source>A setting is not valid — check the settings.</source>
        <translation>某项设置无效 — 请检查设置。</translation>
    </message>
    <message>
        <source>Omni Clerk is already open on this terminal — switch to its window (it may be behind another one).</source>
        <translation>全渠道导购台已在本终端打开 — 请切换到它的窗口（可能被其他窗口遮挡）。</translation>
    </message>
    <message>
        <source>This terminal&apos;s data is locked with a key that is missing — call IT to restore it. Do not enrol the terminal again: its unsynced records are in that data.</source>
        <translation>本终端的数据由一把已丢失的密钥加密 — 请联系 IT 恢复密钥。不要重新注册本终端：尚未同步的记录都在这些数据中。</translation>
    </message>
    <message>
        <source>This record is incomplete or has a value out of bounds — check the form.</source>
        <translation>此记录不完整或有数值超出范围 — 请检查表单。</translation>
    </message>
    <message>
        <source>Something went wrong — try again.</source>
        <translation>出了点问题 — 请重试。</translation>
    </message>
</context>
<context>
    <name>Scan</name>
    <message>
        <source>Barcode %1 is not in this store&apos;s catalogue.</source>
        <translation>条码 %1 不在本店商品目录中。</translation>
    </message>
    <message>
        <source>Product %1 · %2 (%3) — a product, not a member.</source>
        <translation>商品 %1 · %2（%3）— 这是商品，不是会员。</translation>
    </message>
</context>
<context>
    <name>ScanPage</name>
    <message>
        <source>Camera preview</source>
        <translation>摄像头预览</translation>
    </message>
    <message>
        <source>Test camera</source>
        <translation>测试摄像头</translation>
    </message>
    <message>
        <source>Scan the member code</source>
        <translation>请扫描会员码</translation>
    </message>
    <message>
        <source>Use the scanner or the camera — or type the card or phone number, a name, or the last four digits of the phone.</source>
        <translation>使用扫码枪或摄像头 — 也可以输入卡号、手机号、姓名或手机尾号后四位。</translation>
    </message>
    <message>
        <source>Member code, card, phone, name or last four digits</source>
        <translation>会员码、卡号、手机号、姓名或尾号后四位</translation>
    </message>
    <message>
        <source>Customers of this store</source>
        <translation>本店顾客</translation>
    </message>
    <message>
        <source>No customer of this store matches.</source>
        <translation>本店没有相符的顾客。</translation>
    </message>
    <message>
        <source>Customers found: Up and Down to choose, Enter to open</source>
        <translation>找到的顾客：上下键选择，回车打开</translation>
    </message>
    <message>
        <source>Look up</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>Look up the member</source>
        <translation>查询会员</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Turn the camera on or off</source>
        <translation>打开或关闭摄像头</translation>
    </message>
    <message>
        <source>Image…</source>
        <translation>图片…</translation>
    </message>
    <message>
        <source>Read a code from an image file</source>
        <translation>从图片文件读取条码</translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>粘贴</translation>
    </message>
    <message>
        <source>Read a code or number from the clipboard</source>
        <translation>从剪贴板读取条码或号码</translation>
    </message>
    <message>
        <source>Camera:</source>
        <translation>摄像头：</translation>
    </message>
    <message>
        <source>Choose the camera</source>
        <translation>选择摄像头</translation>
    </message>
    <message>
        <source>F2 type · Ctrl+V paste an image · Esc next customer</source>
        <translation>F2 输入 · Ctrl+V 粘贴图片 · Esc 下一位顾客</translation>
    </message>
    <message>
        <source>Last customers</source>
        <translation>最近接待</translation>
    </message>
    <message>
        <source>Customers you serve appear here.</source>
        <translation>接待过的顾客会显示在这里。</translation>
    </message>
    <message>
        <source>“%1”: %2</source>
        <translation>“%1”：%2</translation>
    </message>
</context>
<context>
    <name>ScanView</name>
    <message>
        <source>Several customers have these last digits — which one?</source>
        <translation>有几位顾客的手机尾号相同 — 请问是哪一位？</translation>
    </message>
</context>
<context>
    <name>SearchResults</name>
    <message>
        <source>Card</source>
        <translation>卡号</translation>
    </message>
    <message>
        <source>Phone ends</source>
        <translation>手机尾号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Name starts</source>
        <translation>姓名开头</translation>
    </message>
    <message>
        <source>Part of name</source>
        <translation>姓名部分</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>not enrolled</source>
        <translation>未注册</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <source>Back to scanning</source>
        <translation>返回扫码</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Simplified Chinese</source>
        <translation>简体中文</translation>
    </message>
    <message>
        <source>English</source>
        <translation>English</translation>
    </message>
    <message>
        <source>Screen layout</source>
        <translation>屏幕布局</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>Handheld</source>
        <translation>手持设备</translation>
    </message>
    <message>
        <source>Counter desktop</source>
        <translation>柜台电脑</translation>
    </message>
    <message>
        <source>This terminal</source>
        <translation>本终端</translation>
    </message>
    <message>
        <source>Managers only</source>
        <translation>仅限店长</translation>
    </message>
    <message>
        <source>Hub address</source>
        <translation>总部服务器地址</translation>
    </message>
    <message>
        <source>Where this terminal syncs, e.g. https://hub.example.com</source>
        <translation>本终端同步的地址，例如 https://hub.example.com</translation>
    </message>
    <message>
        <source>Lock when idle</source>
        <translation>闲置自动锁定</translation>
    </message>
    <message>
        <source>Back to the sign-in screen after this long unused.</source>
        <translation>无人操作超过此时长后返回登录界面。</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>分钟</translation>
    </message>
    <message>
        <source>Keep online browsing</source>
        <translation>线上浏览记录保留</translation>
    </message>
    <message>
        <source>Older browsing history is removed from this terminal.</source>
        <translation>更早的浏览记录会从本终端删除。</translation>
    </message>
    <message>
        <source>days</source>
        <translation>天</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Used to scan member codes when there is no scanner.</source>
        <translation>没有扫码枪时用于扫描会员码。</translation>
    </message>
    <message>
        <source>Save changes</source>
        <translation>保存更改</translation>
    </message>
    <message>
        <source>Undo changes</source>
        <translation>撤销更改</translation>
    </message>
    <message>
        <source>The hub address, the idle lock, data retention and the camera can be changed by a store manager. Sign in as a manager to change them.</source>
        <translation>总部服务器地址、闲置锁定、数据保留期限和摄像头只能由店长修改。请以店长身份登录后修改。</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>门店</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Waiting to sync</source>
        <translation>等待同步</translation>
    </message>
    <message>
        <source>Rejected by the hub</source>
        <translation>被总部拒绝</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>冲突</translation>
    </message>
    <message>
        <source>Last update from the hub</source>
        <translation>最近一次从总部更新</translation>
    </message>
    <message>
        <source>Last upload to the hub</source>
        <translation>最近一次上传到总部</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>最近一次错误</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>Support</source>
        <translation>技术支持</translation>
    </message>
    <message>
        <source>Copies versions, settings, sync status and the latest log lines for IT support. Customer data is never included.</source>
        <translation>复制版本、设置、同步状态和最近的日志，供 IT 排查问题。不包含任何顾客数据。</translation>
    </message>
    <message>
        <source>Copy diagnostics</source>
        <translation>复制诊断信息</translation>
    </message>
    <message>
        <source>Enter the hub&apos;s full address, e.g. https://hub.example.com (http:// only for a hub on this machine)</source>
        <translation>请输入完整的总部服务器地址，例如 https://hub.example.com（只有本机上的服务器才能用 http://）</translation>
    </message>
    <message>
        <source>Enter a whole number from %1 to %2.</source>
        <translation>请输入 %1 到 %2 之间的整数。</translation>
    </message>
    <message>
        <source>Too long: at most 200 characters.</source>
        <translation>太长了：最多 200 个字符。</translation>
    </message>
    <message>
        <source>System default camera</source>
        <translation>系统默认摄像头</translation>
    </message>
    <message>
        <source>Saved camera (not connected)</source>
        <translation>已保存的摄像头（未连接）</translation>
    </message>
    <message numerus="yes">
        <source>%n value(s) not saved — see below.</source>
        <translation>
            <numerusform>%n 项未保存 — 请查看下方提示。</numerusform>
        </translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>Settings saved</source>
        <translation>设置已保存</translation>
    </message>
    <message>
        <source>Collecting diagnostics…</source>
        <translation>正在收集诊断信息…</translation>
    </message>
    <message>
        <source>Diagnostics copied — paste them into your message to IT.</source>
        <translation>诊断信息已复制 — 请粘贴到发给 IT 的消息中。</translation>
    </message>
</context>
<context>
    <name>SignIn</name>
    <message numerus="yes">
        <source>Wrong PIN. %n attempt(s) left.</source>
        <translation>
            <numerusform>PIN 错误，还可尝试 %n 次。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Too many wrong PINs. Try again in %n second(s).</source>
        <translation>
            <numerusform>PIN 错误次数过多，请 %n 秒后再试。</numerusform>
        </translation>
    </message>
    <message>
        <source>This account is disabled. Ask your manager.</source>
        <translation>该账号已停用，请联系店长。</translation>
    </message>
    <message>
        <source>Unknown staff member. Sync with the hub and try again.</source>
        <translation>未知员工。请与总部同步后重试。</translation>
    </message>
    <message>
        <source>No PIN is set for this account yet. Ask HQ to set one.</source>
        <translation>该账号尚未设置 PIN，请联系总部设置。</translation>
    </message>
    <message>
        <source>Sign-in refused: %1</source>
        <translation>登录被拒绝：%1</translation>
    </message>
    <message>
        <source>Enter your PIN.</source>
        <translation>请输入 PIN。</translation>
    </message>
    <message>
        <source>Choose your name first.</source>
        <translation>请先选择您的姓名。</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在验证…</translation>
    </message>
    <message>
        <source>You can try again now.</source>
        <translation>现在可以重试了。</translation>
    </message>
    <message>
        <source>Sign-in unavailable: %1</source>
        <translation>暂时无法登录：%1</translation>
    </message>
    <message numerus="yes">
        <source>Locked after %n minute(s) without use. Sign in again.</source>
        <translation>
            <numerusform>闲置 %n 分钟后已锁定，请重新登录。</numerusform>
        </translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Delete last digit</source>
        <translation>删除最后一位</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Choose your name, then enter your PIN.</source>
        <translation>请选择您的姓名，然后输入 PIN。</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>No staff for this store yet: sync with the hub first.</source>
        <translation>本店还没有员工信息：请先与总部同步。</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
</context>
<context>
    <name>Signup</name>
    <message>
        <source>New member, pending sync. They scan this in the member app to finish joining; their member code works once the terminal has synced.</source>
        <translation>新会员，待同步。请顾客用会员小程序扫描此码完成入会；终端同步后即可使用会员码。</translation>
    </message>
    <message>
        <source>New member signed up · pending sync</source>
        <translation>新会员已注册 · 待同步</translation>
    </message>
    <message>
        <source>Type the full mobile number, e.g. 138 1234 5678.</source>
        <translation>请输入完整手机号，例如 138 1234 5678。</translation>
    </message>
    <message>
        <source>Type the customer&apos;s name.</source>
        <translation>请输入顾客姓名。</translation>
    </message>
    <message>
        <source>A birthday is a date: YYYY-MM-DD.</source>
        <translation>生日须为日期：YYYY-MM-DD。</translation>
    </message>
    <message>
        <source>The chain&apos;s consent wording has not reached this terminal yet: sync once online, then sign the customer up.</source>
        <translation>本终端尚未收到品牌的同意书文本：请联网同步一次后再为顾客注册。</translation>
    </message>
    <message>
        <source>Consent (version %1)</source>
        <translation>同意书（版本 %1）</translation>
    </message>
    <message>
        <source>Consent</source>
        <translation>同意书</translation>
    </message>
    <message>
        <source>New member</source>
        <translation>新会员</translation>
    </message>
    <message>
        <source>Mobile number</source>
        <translation>手机号</translation>
    </message>
    <message>
        <source>The full number: the member&apos;s app and offers use it.</source>
        <translation>完整号码：会员小程序和优惠信息都会用到。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Birthday (optional)</source>
        <translation>生日（选填）</translation>
    </message>
    <message>
        <source>YYYY-MM-DD</source>
        <translation>YYYY-MM-DD</translation>
    </message>
    <message>
        <source>Agrees to marketing messages</source>
        <translation>同意接收营销信息</translation>
    </message>
    <message>
        <source>Agrees to the use of online browsing in store</source>
        <translation>同意门店使用线上浏览记录</translation>
    </message>
    <message>
        <source>Sign up</source>
        <translation>注册会员</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <source>Sync failed: %1 — it retries by itself.</source>
        <translation>同步失败：%1 — 将自动重试。</translation>
    </message>
    <message>
        <source>Manager: %1</source>
        <translation>店长：%1</translation>
    </message>
    <message>
        <source>Associate: %1</source>
        <translation>导购：%1</translation>
    </message>
    <message>
        <source>No associate signed in</source>
        <translation>未登录导购</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>Last sync %1</source>
        <translation>最近同步 %1</translation>
    </message>
    <message>
        <source>Never synced</source>
        <translation>从未同步</translation>
    </message>
    <message numerus="yes">
        <source>%n waiting to sync</source>
        <translation>
            <numerusform>%n 条等待同步</numerusform>
        </translation>
    </message>
    <message>
        <source>All records synced</source>
        <translation>记录已全部同步</translation>
    </message>
    <message numerus="yes">
        <source>%n need a manager</source>
        <translation>
            <numerusform>%n 条需店长处理</numerusform>
        </translation>
    </message>
    <message>
        <source>This terminal was removed from the store — ask IT. Nothing recorded here is lost: IT can export the unsent records.</source>
        <translation>本终端已被移出门店 — 请联系 IT。此处已记录的内容不会丢失：IT 可以导出未同步的记录。</translation>
    </message>
    <message>
        <source>This terminal looks like a copy of another one (the hub saw its records twice). Ask IT to enrol it again before recording more.</source>
        <translation>此终端似乎是另一台终端的副本（中心系统收到了重复的记录序号）。请先联系 IT 重新注册本终端，再继续记录。</translation>
    </message>
    <message numerus="yes">
        <source>This terminal&apos;s clock is off by about %n minute(s) — member codes may be rejected. Set the date and time.</source>
        <translation>
            <numerusform>本终端时钟偏差约 %n 分钟 — 会员码可能被拒绝。请校正日期和时间。</numerusform>
        </translation>
    </message>
    <message>
        <source>Customer data is from %1 — more than a day old. Connect to the network to sync.</source>
        <translation>顾客数据更新于 %1，已超过一天。请联网同步。</translation>
    </message>
    <message>
        <source>This terminal has no customer data yet — connect to the network to sync.</source>
        <translation>本终端还没有顾客数据 — 请联网同步。</translation>
    </message>
    <message>
        <source>Working offline — everything you record is saved on this terminal and syncs when the network is back.</source>
        <translation>正在离线工作 — 记录的内容都已保存在本终端，网络恢复后自动同步。</translation>
    </message>
    <message>
        <source>Offline — no network. Everything you record is saved on this terminal and syncs when the network is back.</source>
        <translation>离线 — 没有网络。记录的一切都保存在本终端，网络恢复后自动同步。</translation>
    </message>
    <message>
        <source>Offline — the hub does not answer. Everything you record is saved on this terminal and syncs as soon as it does.</source>
        <translation>离线 — 总部服务器无响应。记录的一切都保存在本终端，服务器一恢复即同步。</translation>
    </message>
    <message>
        <source>Synced with the hub</source>
        <translation>已与总部同步</translation>
    </message>
    <message>
        <source>The local cache was damaged and is being rebuilt from the hub.</source>
        <translation>本地缓存已损坏，正在从总部重建。</translation>
    </message>
</context>
<context>
    <name>Tags</name>
    <message>
        <source>Tech</source>
        <translation>科技数码</translation>
    </message>
    <message>
        <source>Sneakers</source>
        <translation>球鞋</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>跑步</translation>
    </message>
    <message>
        <source>Beauty</source>
        <translation>美妆</translation>
    </message>
    <message>
        <source>Home</source>
        <translation>家居</translation>
    </message>
    <message>
        <source>Buys gifts</source>
        <translation>常买礼物</translation>
    </message>
    <message>
        <source>New parent</source>
        <translation>新手父母</translation>
    </message>
    <message>
        <source>Outdoor</source>
        <translation>户外</translation>
    </message>
    <message>
        <source>Looks for deals</source>
        <translation>关注优惠</translation>
    </message>
    <message>
        <source>VIP events</source>
        <translation>VIP 活动</translation>
    </message>
    <message>
        <source>Fashion</source>
        <translation>时尚</translation>
    </message>
    <message>
        <source>the app</source>
        <translation>App</translation>
    </message>
    <message>
        <source>the web shop</source>
        <translation>网店</translation>
    </message>
    <message>
        <source>the mini program</source>
        <translation>小程序</translation>
    </message>
    <message>
        <source>the store</source>
        <translation>门店</translation>
    </message>
    <message>
        <source>WeChat</source>
        <translation>微信</translation>
    </message>
    <message>
        <source>phone calls</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>prefers %1</source>
        <translation>偏好%1</translation>
    </message>
    <message>
        <source> — </source>
        <translation> — </translation>
    </message>
</context>
<context>
    <name>TalkingPoints</name>
    <message numerus="yes">
        <source>In online cart %n day(s)</source>
        <translation>
            <numerusform>加入线上购物车 %n 天</numerusform>
        </translation>
    </message>
    <message>
        <source>Added to online cart today</source>
        <translation>今天加入线上购物车</translation>
    </message>
    <message>
        <source>%1: %2 %3 — coupon %4 expires %5</source>
        <translation>%1：%2 %3 — %4优惠券%5到期</translation>
    </message>
    <message numerus="yes">
        <source>Left in online cart for %n day(s): %1 %2</source>
        <translation>
            <numerusform>在线上购物车放了 %n 天未下单：%1 %2</numerusform>
        </translation>
    </message>
    <message>
        <source>Coupon “%1” (%2) expires %3 — remind the customer</source>
        <translation>优惠券「%1」（%2）%3到期 — 提醒顾客使用</translation>
    </message>
    <message numerus="yes">
        <source>Viewed %1 %n time(s) online this week (%2)</source>
        <translation>
            <numerusform>本周线上浏览 %1 %n 次（%2）</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 points from %2 — a purchase today would upgrade</source>
        <translation>再积 %1 分即可升级为%2 — 今天消费即可升级</translation>
    </message>
    <message>
        <source>Offer %1 %2 — often viewed with %3 (%4)</source>
        <translation>推荐 %1 %2 —— 常与%3一起浏览（%4）</translation>
    </message>
    <message>
        <source>Offer %1 %2 — often bought with %3 (%4)</source>
        <translation>推荐 %1 %2 —— 常与%3一起购买（%4）</translation>
    </message>
    <message>
        <source>Birthday today — wish the customer a happy birthday</source>
        <translation>今天是顾客生日 — 记得送上生日祝福</translation>
    </message>
    <message>
        <source>Birthday this month (%1)</source>
        <translation>本月生日（%1）</translation>
    </message>
    <message>
        <source>Worth mentioning: %1</source>
        <translation>值得一提：%1</translation>
    </message>
    <message>
        <source>yesterday</source>
        <translation>昨天</translation>
    </message>
    <message numerus="yes">
        <source>%n day(s) ago</source>
        <translation>
            <numerusform>%n 天前</numerusform>
        </translation>
    </message>
    <message>
        <source>last week</source>
        <translation>上周</translation>
    </message>
    <message numerus="yes">
        <source>%n week(s) ago</source>
        <translation>
            <numerusform>%n 周前</numerusform>
        </translation>
    </message>
    <message>
        <source>last month</source>
        <translation>上个月</translation>
    </message>
    <message>
        <source>Returned %1 %2 — ask what went wrong</source>
        <translation>%2退货了%1 — 问问哪里不满意</translation>
    </message>
    <message>
        <source>Bought %1 %2 — ask how it fits</source>
        <translation>%2买了%1 — 问问是否合适</translation>
    </message>
    <message>
        <source>Bought %1 %2 — ask how they get on with it</source>
        <translation>%2买了%1 — 问问用得怎么样</translation>
    </message>
    <message>
        <source>saves %1</source>
        <translation>可省 %1</translation>
    </message>
    <message numerus="yes">
        <source>viewed %n time(s) this week</source>
        <translation>
            <numerusform>本周浏览 %n 次</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Terms</name>
    <message>
        <source>Pending sync</source>
        <translation>待同步</translation>
    </message>
    <message>
        <source>Basic</source>
        <translation>普通会员</translation>
    </message>
    <message>
        <source>Silver</source>
        <translation>银卡</translation>
    </message>
    <message>
        <source>Gold</source>
        <translation>金卡</translation>
    </message>
    <message>
        <source>Platinum</source>
        <translation>白金卡</translation>
    </message>
    <message>
        <source>App</source>
        <translation>App</translation>
    </message>
    <message>
        <source>Web</source>
        <translation>网页</translation>
    </message>
    <message>
        <source>Mini program</source>
        <translation>小程序</translation>
    </message>
    <message>
        <source>Usable</source>
        <translation>可用</translation>
    </message>
    <message>
        <source>Expiring soon</source>
        <translation>即将到期</translation>
    </message>
    <message>
        <source>Used</source>
        <translation>已使用</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>Not yet valid</source>
        <translation>未生效</translation>
    </message>
    <message>
        <source>Store visit</source>
        <translation>到店</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Product interest</source>
        <translation>商品兴趣</translation>
    </message>
    <message>
        <source>Coupon redeemed</source>
        <translation>优惠券核销</translation>
    </message>
    <message>
        <source>Assisted sale</source>
        <translation>导购成交</translation>
    </message>
    <message>
        <source>Points redeemed</source>
        <translation>积分兑换</translation>
    </message>
    <message>
        <source>Consent updated</source>
        <translation>授权变更</translation>
    </message>
    <message>
        <source>in the online cart</source>
        <translation>在线上购物车中</translation>
    </message>
    <message>
        <source>browsed online</source>
        <translation>线上浏览过</translation>
    </message>
    <message>
        <source>Case opened</source>
        <translation>工单创建</translation>
    </message>
    <message>
        <source>Case note</source>
        <translation>工单备注</translation>
    </message>
    <message>
        <source>Case closed</source>
        <translation>工单结案</translation>
    </message>
    <message>
        <source>Complaint</source>
        <translation>投诉</translation>
    </message>
    <message>
        <source>Repair</source>
        <translation>维修</translation>
    </message>
    <message>
        <source>Service case</source>
        <translation>服务工单</translation>
    </message>
    <message>
        <source>Online order</source>
        <translation>线上订单</translation>
    </message>
    <message>
        <source>In-store purchase</source>
        <translation>门店购买</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>已退货</translation>
    </message>
    <message>
        <source>bought before</source>
        <translation>以前买过</translation>
    </message>
    <message>
        <source>Saved · pending sync</source>
        <translation>已保存 · 待同步</translation>
    </message>
    <message>
        <source>Sent · awaiting hub</source>
        <translation>已发送 · 等待总部确认</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>已同步</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>Conflict</source>
        <translation>冲突</translation>
    </message>
    <message>
        <source>Tried on</source>
        <translation>试穿/试用</translation>
    </message>
    <message>
        <source>Asked about</source>
        <translation>咨询过</translation>
    </message>
    <message>
        <source>Cart + coupon</source>
        <translation>购物车 + 优惠券</translation>
    </message>
    <message>
        <source>Coupon expiring</source>
        <translation>优惠券将到期</translation>
    </message>
    <message>
        <source>Viewed often</source>
        <translation>多次浏览</translation>
    </message>
    <message>
        <source>Left in cart</source>
        <translation>购物车遗留</translation>
    </message>
    <message>
        <source>Birthday</source>
        <translation>生日</translation>
    </message>
    <message>
        <source>Near the next tier</source>
        <translation>接近升级</translation>
    </message>
    <message>
        <source>Offer: bought with</source>
        <translation>推荐：常一起购买</translation>
    </message>
    <message>
        <source>Offer: viewed with</source>
        <translation>推荐：常一起浏览</translation>
    </message>
</context>
</TS>
