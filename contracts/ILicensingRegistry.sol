// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Grade} from "./Common.sol";
import {ICertificateRegistry} from "./ICertificateRegistry.sol";

/// @notice What a firm or a registered planner applies for (行政许可申请). Kinds that grant or extend a
/// qualification (FIRST, UPGRADE, RENEWAL, PLANNER_REGISTRATION, PLANNER_RENEWAL) are decided only after a public
/// notice; the others (changes and cancellations) may be decided once reviewed.
enum ApplicationKind {
    NONE,
    FIRST, // 首次申请: always grade B
    UPGRADE, // 升级: grade B to grade A, after holding B two years
    RENEWAL, // 延续: the same grade, a new validity window
    CHANGE, // 变更: name, address, legal representative, technical lead (a new document, same certificate)
    CANCELLATION, // 注销 at the holder's request
    PLANNER_REGISTRATION, // 注册城乡规划师 初始注册, with the employing firm
    PLANNER_RENEWAL, // 延续注册
    PLANNER_CHANGE, // 变更注册: another employer; both the old and the new employer consent, each with its key
    PLANNER_CANCELLATION // 注销注册
}

/// @notice Where an application stands. APPROVED, REFUSED, NOT_ACCEPTED and WITHDRAWN are terminal.
enum Stage {
    NONE,
    FILED, // 申请: waiting for the authority's acceptance decision
    COMPLETION_REQUESTED, // 补正: the authority listed everything missing, once; the applicant supplements
    ACCEPTED, // 受理
    PROVINCE_REVIEWED, // grade A: the firm's province did its first review and forwarded it to the ministry
    REVIEWED, // 审查 done by the deciding authority
    IN_NOTICE, // 公示: the review opinion is publicly noticed; anyone may object until it ends
    APPROVED, // 准予许可: the certificate was issued, upgraded or renewed in the same transaction
    REFUSED, // 不予许可
    NOT_ACCEPTED, // 不予受理
    WITHDRAWN // 撤回申请 by the applicant before the decision
}

/// @dev No application has this id.
error UnknownApplication(bytes32 id);
/// @dev An application with this id (the same subject or certificate, kind, dossier and applicant) was filed before.
error AlreadyFiled(bytes32 id);
/// @dev The application's stage does not allow this step.
error WrongStage(bytes32 id, Stage stage);
/// @dev Only the applicant (the key that filed, the certificate's holder) may take this step.
error NotApplicant(bytes32 id, address account);
/// @dev A first application needs a firm without a live qualification; `certificate` is the one it holds.
error QualificationHeld(bytes32 subject, bytes32 certificate);
/// @dev The application does not fit its kind (a field named by `field`).
error InvalidApplication(string field);
/// @dev The authority asks for completion once, with everything missing at once (行政许可法 art. 32).
error CompletionAlreadyRequested(bytes32 id);
/// @dev A grade A application's first review is the firm's province's, by one of its own regulators.
error NotTheFirmsProvince(address account, uint8 province);
/// @dev The notice must run at least MIN_NOTICE_PERIOD: it could end at `earliest`, not before.
error NoticeTooShort(uint40 endsAt, uint40 earliest);
/// @dev The public notice runs until `endsAt`: no decision before, no objection after.
error NoticeRunning(bytes32 id, uint40 endsAt);
/// @dev Objections are raised only while the notice runs (it ended, or has not started).
error NotInNotice(bytes32 id);
/// @dev Every objection must be answered before the decision; `open` are not.
error ObjectionsUnanswered(bytes32 id, uint16 open);
/// @dev No unanswered objection has this id.
error UnknownObjection(bytes32 objection);
/// @dev The decision names another dossier than the one filed and reviewed.
error DossierChanged(bytes32 id, bytes32 reviewed);
/// @dev The certificate a decision makes must be the one applied for (a field named by `field`).
error DecisionMismatch(string field);
/// @dev The decision period may be extended once (art. 42).
error AlreadyExtended(bytes32 id);
/// @dev An expert review is begun once and ended once, in that order.
error ExpertReviewOutOfOrder(bytes32 id);
/// @dev No open (neither confirmed nor withdrawn) revocation proposal has this id.
error UnknownProposal(bytes32 proposal);
/// @dev A revocation is confirmed by a second regulator of the same authority, never by its proposer.
error SameRegulator(address account);
/// @dev The confirming regulator belongs to another authority than the proposer (ministry vs province).
error OtherAuthority(address account);
/// @dev A revocation proposal with this id (certificate, reason, evidence, proposer) was made before.
error AlreadyProposed(bytes32 proposal);
/// @dev This objection (the same objector, evidence and text) was raised before; answered or not, it stands once.
error AlreadyObjected(bytes32 objection);
/// @dev The notice may run at most MAX_NOTICE_PERIOD: it must end by `latest`.
error NoticeTooLong(uint40 endsAt, uint40 latest);
/// @dev Only the proposer withdraws its proposal.
error NotProposer(bytes32 proposal, address account);
/// @dev A change of employer is consented to by the old and the new employer, each with its qualification's
/// holder key; `account` holds neither.
error NotEmployer(bytes32 id, address account);
/// @dev The change of employer lacks the consent of `employer` by the key its qualification names now.
error ConsentMissing(bytes32 id, bytes32 employer);

/// @title The licensing procedure of firm qualifications, on chain
/// @notice An application goes FILED → (COMPLETION_REQUESTED → FILED) → ACCEPTED → [grade A: PROVINCE_REVIEWED]
/// → REVIEWED → IN_NOTICE → APPROVED or REFUSED; NOT_ACCEPTED before acceptance; WITHDRAWN by the applicant before
/// the decision. Who may take each step is the certificate registry's rule (checkAuthority) for the firm: grade B
/// its province (or the ministry), grade A the ministry after the firm's own province's first review. An approval
/// makes the certificate in the same transaction (issueFor, upgradeFor, renewFor), bound to the application and
/// to the dossier that was reviewed, never before the notice has run MIN_NOTICE_PERIOD nor while an objection is
/// unanswered. Revocations go through four eyes: one regulator proposes, a second of the same authority confirms.
/// Every step is an event carrying what the read model needs; the statutory time limits (working days) are the
/// ledger's to compute from the events' block times.
interface ILicensingRegistry {
    /// @notice An application was filed: by `applicant` (the firm's key) or, when `paper`, recorded by
    /// `applicant` = the authority's regulator for a filing on paper. `publicData` is the applicant's public
    /// fields as it filed them (not stored, not checked: the read model and the reviewer check them).
    event ApplicationFiled(
        bytes32 indexed id,
        bytes32 indexed subject,
        bytes32 indexed certificate,
        address applicant,
        ApplicationKind kind,
        Grade grade,
        uint8 province,
        bytes32 dossier,
        bool paper,
        bytes publicData
    );
    /// @notice The authority asked, once, for everything missing (`listHash`: the list's hash, 补正通知).
    event CompletionRequested(bytes32 indexed id, address by, bytes32 listHash);
    /// @notice The applicant supplemented the dossier; the application waits for acceptance again.
    event DossierSupplemented(bytes32 indexed id, address by, bytes32 dossier);
    /// @notice The authority refused to accept the application (不予受理), for `reasonHash`.
    event ApplicationNotAccepted(bytes32 indexed id, address by, bytes32 reasonHash);
    /// @notice The authority accepted the application (受理).
    event ApplicationAccepted(bytes32 indexed id, address by);
    /// @notice A review was recorded: `stage` is PROVINCE_REVIEWED (a grade A first review) or REVIEWED. `checksHash`
    /// is the hash of the ledger's automatic checks' JSON at that instant, `opinionHash` that of the opinion.
    event ApplicationReviewed(bytes32 indexed id, address by, Stage stage, bytes32 checksHash, bytes32 opinionHash);
    /// @notice An expert review (专家评审) began or ended; its time is not counted against the time limits.
    event ExpertReview(bytes32 indexed id, address by, bool begun);
    /// @notice The decision period was extended once (art. 42), for `reasonHash`.
    event DecisionExtended(bytes32 indexed id, address by, bytes32 reasonHash);
    /// @notice The review opinion is publicly noticed (公示) until `endsAt`.
    event NoticePublished(bytes32 indexed id, address by, uint40 endsAt);
    /// @notice Anyone raised an objection (异议) during the notice.
    event ObjectionRaised(
        bytes32 indexed id, bytes32 indexed objection, address by, bytes32 evidenceHash, bytes32 textHash
    );
    /// @notice The authority answered an objection (处理结果).
    event ObjectionAnswered(bytes32 indexed id, bytes32 indexed objection, address by, bytes32 answerHash);
    /// @notice The application was approved and `certificate` made in the same transaction.
    event ApplicationApproved(bytes32 indexed id, bytes32 indexed certificate, address by);
    /// @notice The application was refused (不予许可), for `reasonsHash`.
    event ApplicationRefused(bytes32 indexed id, address by, bytes32 reasonsHash);
    /// @notice The applicant withdrew the application.
    event ApplicationWithdrawn(bytes32 indexed id, address by);
    /// @notice A planner's change of employer: `employer` (the old or the new firm) consented, by its holder key.
    event EmployerConsented(bytes32 indexed id, bytes32 indexed employer, address by);
    /// @notice A planner's application names the firm that will employ it (registration, change of employer).
    event EmployerNamed(bytes32 indexed id, bytes32 indexed employer);
    /// @notice `proposer` proposed to revoke `certificate` for `reason`.
    event RevocationProposed(
        bytes32 indexed proposal, bytes32 indexed certificate, address proposer, uint16 reason, bytes32 evidenceHash
    );
    /// @notice A second regulator confirmed the proposal: the certificate is revoked (CertificateRevoked).
    event RevocationConfirmed(bytes32 indexed proposal, bytes32 indexed certificate, address by);
    /// @notice The proposer withdrew the proposal.
    event RevocationWithdrawn(bytes32 indexed proposal, bytes32 indexed certificate, address by);

    /// @notice What an applicant files.
    struct ApplicationRequest {
        ApplicationKind kind;
        bytes32 subject; // FIRST: the firm's subject; PLANNER_REGISTRATION: the planner's (salted); else zero
        bytes32 certificate; // every other kind: the certificate held; else zero
        uint8 province; // FIRST: the firm's province (its binding, if it had one); else zero (the binding decides)
        bytes32 employer; // PLANNER_REGISTRATION, PLANNER_CHANGE: the employing firm's subject; else zero
        bytes32 dossier; // hash of the dossier's manifest (the files and their hashes)
        bytes publicData; // canonical JSON of the applicant's public fields (name, creditCode), for the notice
    }

    /// @notice What the contract keeps of an application.
    struct Application {
        bytes32 subject;
        bytes32 certificate; // the certificate applied about (UPGRADE, RENEWAL), or zero
        bytes32 dossier;
        address applicant;
        ApplicationKind kind;
        Stage stage;
        Grade grade; // the grade decided about: B for FIRST, A for UPGRADE, the held grade for RENEWAL
        uint8 province;
        uint8 flags; // FLAG_PAPER | FLAG_COMPLETION_REQUESTED | FLAG_EXPERT_REVIEW_BEGUN | … (see the contract)
        uint40 noticeEndsAt;
        uint16 openObjections;
        bytes32 employer; // PLANNER_REGISTRATION, PLANNER_CHANGE: the firm named; else zero
    }

    /// @notice File an application with the firm's key (for UPGRADE and RENEWAL, the certificate's holder key).
    /// @dev Emits ApplicationFiled. Reverts with AlreadyFiled, InvalidApplication, NotApplicant (not the holder),
    /// QualificationHeld (a FIRST application of a qualified firm) or the certificate registry's refusals.
    /// @param request The application.
    /// @return id keccak256(abi.encode(subject or certificate, kind, dossier, msg.sender)): a copy of a firm's filing
    /// by another key is another application, which its approval would not hand that key (holder = applicant).
    function file(ApplicationRequest calldata request) external returns (bytes32 id);

    /// @notice Record an application filed on paper, as the authority that will decide it (marked `paper`).
    /// @param request The application.
    /// @return id As for `file`.
    function fileOnPaper(ApplicationRequest calldata request) external returns (bytes32 id);

    /// @notice Ask, once, for everything missing (FILED → COMPLETION_REQUESTED).
    function requestCompletion(bytes32 id, bytes32 listHash) external;

    /// @notice The applicant's supplemented dossier (COMPLETION_REQUESTED → FILED).
    function supplement(bytes32 id, bytes32 dossier) external;

    /// @notice Refuse to accept (FILED or COMPLETION_REQUESTED → NOT_ACCEPTED).
    function refuseAcceptance(bytes32 id, bytes32 reasonHash) external;

    /// @notice Accept (FILED → ACCEPTED).
    function accept(bytes32 id) external;

    /// @notice Record a review. Grade B: the province (or the ministry), ACCEPTED → REVIEWED. Grade A: first one of
    /// the firm's own provincial regulators (ACCEPTED → PROVINCE_REVIEWED), then the ministry (→ REVIEWED). With a
    /// non-zero `noticeEndsAt`, the deciding authority's review opinion is published for notice in the same act
    /// (→ IN_NOTICE, as by publishNotice); a province's first review of grade A takes zero.
    function review(bytes32 id, bytes32 checksHash, bytes32 opinionHash, uint40 noticeEndsAt) external;

    /// @notice Begin (`begun`) or end an expert review, during the review (ACCEPTED or PROVINCE_REVIEWED).
    function expertReview(bytes32 id, bool begun) external;

    /// @notice Extend the decision period once, before the decision.
    function extendDecision(bytes32 id, bytes32 reasonHash) external;

    /// @notice Publish the review opinion until `endsAt`, at least MIN_NOTICE_PERIOD from now (REVIEWED → IN_NOTICE).
    function publishNotice(bytes32 id, uint40 endsAt) external;

    /// @notice Object during the notice; anyone may, with any key.
    /// @return objection keccak256(abi.encode(id, msg.sender, evidenceHash, textHash)).
    function object(bytes32 id, bytes32 evidenceHash, bytes32 textHash) external returns (bytes32 objection);

    /// @notice Answer an objection, as the deciding authority.
    function answerObjection(bytes32 objection, bytes32 answerHash) external;

    /// @notice Answer many objections with one answer (e.g. a flood of the same objection from many keys); each is
    /// checked as by answerObjection, and any refusal reverts all.
    function answerObjections(bytes32[] calldata objections, bytes32 answerHash) external;

    /// @notice Approve a FIRST application: issue `request` (grade B, the application's subject and province,
    /// holder the applicant unless filed on paper) in this transaction. `dossier` must be the one reviewed.
    /// @return certificate The new certificate's id.
    function approveFirst(bytes32 id, bytes32 dossier, ICertificateRegistry.IssueRequest calldata request)
        external
        returns (bytes32 certificate);

    /// @notice Approve an UPGRADE or RENEWAL: upgrade or renew the certificate applied about into `successor`.
    /// @return certificate The new certificate's id.
    function approveSuccessor(bytes32 id, bytes32 dossier, ICertificateRegistry.SuccessorRequest calldata successor)
        external
        returns (bytes32 certificate);

    /// @notice Approve a CHANGE (the firm's certificate amended to the document `documentHash`, its holder key
    /// kept) or a PLANNER_CHANGE (the registration transferred to the employer applied for, once both employers
    /// consented), once reviewed (and, if it was noticed, after the notice). `dossier` must be the one reviewed.
    function approveChange(bytes32 id, bytes32 dossier, bytes32 documentHash, bytes calldata publicData) external;

    /// @notice Approve a CANCELLATION or PLANNER_CANCELLATION: the certificate is cancelled (注销, reason 3).
    function approveCancellation(bytes32 id, bytes32 dossier) external;

    /// @notice Consent, as the old or the new employer (its qualification's holder key), to a planner's change of
    /// employer, before the decision.
    function consent(bytes32 id) external;

    /// @notice Refuse (不予许可) an accepted application, with the reasons' hash.
    function refuse(bytes32 id, bytes32 reasonsHash) external;

    /// @notice Withdraw, as the applicant, before the decision.
    function withdraw(bytes32 id) external;

    /// @notice Propose to revoke `certificate` for `reason` (any regulator that may act on it).
    /// @return proposal keccak256(abi.encode(certificate, reason, evidenceHash, msg.sender)).
    function proposeRevocation(bytes32 certificate, uint16 reason, bytes32 evidenceHash)
        external
        returns (bytes32 proposal);

    /// @notice Confirm a revocation proposal: a second regulator of the same authority (the ministry, the registrar,
    /// or the proposer's own province); revokes the certificate.
    function confirmRevocation(bytes32 proposal) external;

    /// @notice Withdraw one's own revocation proposal.
    function withdrawRevocation(bytes32 proposal) external;

    /// @notice The application `id`; reverts with UnknownApplication.
    function application(bytes32 id) external view returns (Application memory);
}
