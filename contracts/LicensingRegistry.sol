// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {CertificateRegistry} from "./CertificateRegistry.sol";
import {LicensingActs} from "./LicensingActs.sol";
import {ICertificateRegistry} from "./ICertificateRegistry.sol";
import {
    ILicensingRegistry, ApplicationKind, Stage, UnknownApplication, AlreadyFiled, WrongStage, NotApplicant,
    QualificationHeld, InvalidApplication, CompletionAlreadyRequested, NotTheFirmsProvince, NoticeTooShort,
    NoticeRunning, NotInNotice, ObjectionsUnanswered, UnknownObjection, DossierChanged, DecisionMismatch,
    AlreadyExtended, ExpertReviewOutOfOrder, UnknownProposal, SameRegulator, OtherAuthority, AlreadyProposed,
    AlreadyObjected, NoticeTooLong, NotProposer, NotEmployer, ConsentMissing
} from "./ILicensingRegistry.sol";
import {
    Kind, Grade, Status, WrongKind, InvalidGrade, WrongStatus, InvalidProvince, SubjectInOtherProvince,
    MissingReason, EmployerNotQualified, isProvinceCode
} from "./Common.sol";

/// @title The licensing procedure of firm qualifications
/// @notice See ILicensingRegistry. Holds LICENSING_ROLE in the certificate registry, whose roles and jurisdictions
/// decide who takes each step; it makes certificates only through an approved application.
contract LicensingRegistry is ILicensingRegistry, ERC2771Context {
    /// @notice The shortest public notice (公示) of a review opinion, from the licensing rule set (10 days by the
    /// 2012 rule), fixed at deployment.
    uint40 public immutable MIN_NOTICE_PERIOD;
    /// @notice The longest public notice: an application is never parked in notice for ever.
    uint40 public constant MAX_NOTICE_PERIOD = 90 days;

    uint8 public constant FLAG_PAPER = 1; // filed on paper, recorded by the authority
    uint8 public constant FLAG_COMPLETION_REQUESTED = 2; // the one completion request was made
    uint8 public constant FLAG_EXPERT_REVIEW_BEGUN = 4;
    uint8 public constant FLAG_EXPERT_REVIEW_ENDED = 8;
    uint8 public constant FLAG_EXTENDED = 16; // the decision period was extended
    uint16 private constant _CANCELLATION = 3; // the certificate registry's reason code of 注销

    bytes32 private constant _MINISTRY_ROLE = keccak256("MINISTRY_ROLE");

    struct Proposal {
        bytes32 certificate;
        address proposer;
        uint16 reason;
        bool byMinistry;
        uint8 province; // the proposer's, 0 for the ministry and the registrar: the confirmer's must be the same
        bool closed; // confirmed or withdrawn: a proposal is never made twice
    }

    CertificateRegistry private immutable _certificates;
    /// @dev The one forwarder of signed steps (ERC-2771), created with this registry.
    address private immutable _signedActs;

    mapping(bytes32 id => Application) private _applications;
    /// @dev An objection's application, kept after its answer so that the same objection is never raised twice.
    mapping(bytes32 objection => bytes32 application) private _objections;
    mapping(bytes32 objection => bool) private _answered;
    mapping(bytes32 proposal => Proposal) private _proposals;
    /// @dev A change of employer: the firm the planner leaves (its employer when the change was filed), and the
    /// keys with which each firm consented. A consent counts only while that key is still the firm's.
    mapping(bytes32 id => bytes32 firm) private _leaving;
    mapping(bytes32 id => address key) private _leavingConsent;
    mapping(bytes32 id => address key) private _joiningConsent;

    /// @param registry The certificate registry, which must grant this contract LICENSING_ROLE.
    /// @param minNoticePeriod The shortest public notice, in seconds.
    constructor(CertificateRegistry registry, uint40 minNoticePeriod) ERC2771Context(address(0)) {
        _certificates = registry;
        _signedActs = address(new LicensingActs());
        MIN_NOTICE_PERIOD = minNoticePeriod;
    }

    // ---------------------------------------------------------------- filing and acceptance

    /// @inheritdoc ILicensingRegistry
    function file(ApplicationRequest calldata request) external returns (bytes32) {
        return _file(request, false);
    }

    /// @inheritdoc ILicensingRegistry
    function fileOnPaper(ApplicationRequest calldata request) external returns (bytes32) {
        return _file(request, true);
    }

    /// @inheritdoc ILicensingRegistry
    function requestCompletion(bytes32 id, bytes32 listHash) external {
        Application storage a = _atStage(id, Stage.FILED);
        _checkAcceptingAuthority(_msgSender(), a);
        if (a.flags & FLAG_COMPLETION_REQUESTED != 0) revert CompletionAlreadyRequested(id);
        if (listHash == bytes32(0)) revert InvalidApplication("listHash");
        a.flags |= FLAG_COMPLETION_REQUESTED;
        a.stage = Stage.COMPLETION_REQUESTED;
        emit CompletionRequested(id, _msgSender(), listHash);
    }

    /// @inheritdoc ILicensingRegistry
    function supplement(bytes32 id, bytes32 dossier) external {
        Application storage a = _atStage(id, Stage.COMPLETION_REQUESTED);
        _checkApplicant(id, a);
        if (dossier == bytes32(0)) revert InvalidApplication("dossier");
        a.dossier = dossier;
        a.stage = Stage.FILED;
        emit DossierSupplemented(id, _msgSender(), dossier);
    }

    /// @inheritdoc ILicensingRegistry
    function refuseAcceptance(bytes32 id, bytes32 reasonHash) external {
        Application storage a = _existing(id);
        if (a.stage != Stage.FILED && a.stage != Stage.COMPLETION_REQUESTED) revert WrongStage(id, a.stage);
        _checkAcceptingAuthority(_msgSender(), a);
        if (reasonHash == bytes32(0)) revert InvalidApplication("reasonHash");
        a.stage = Stage.NOT_ACCEPTED;
        emit ApplicationNotAccepted(id, _msgSender(), reasonHash);
    }

    /// @inheritdoc ILicensingRegistry
    function accept(bytes32 id) external {
        Application storage a = _atStage(id, Stage.FILED);
        _checkAcceptingAuthority(_msgSender(), a);
        a.stage = Stage.ACCEPTED;
        emit ApplicationAccepted(id, _msgSender());
    }

    // ---------------------------------------------------------------- review and notice

    /// @inheritdoc ILicensingRegistry
    function review(bytes32 id, bytes32 checksHash, bytes32 opinionHash, uint40 noticeEndsAt) external {
        address actor = _msgSender();
        Application storage a = _existing(id);
        if (checksHash == bytes32(0)) revert InvalidApplication("checksHash");
        if (opinionHash == bytes32(0)) revert InvalidApplication("opinionHash");
        // An expert review under way is ended first: its time is not counted, so it must not run on unseen.
        if (a.flags & (FLAG_EXPERT_REVIEW_BEGUN | FLAG_EXPERT_REVIEW_ENDED) == FLAG_EXPERT_REVIEW_BEGUN) {
            revert ExpertReviewOutOfOrder(id);
        }
        if (a.grade == Grade.A && a.stage == Stage.ACCEPTED) {
            // Grade A is applied for through the firm's province, whose own regulator reviews it first.
            uint8 province = _province(a);
            if (_certificates.provinceOf(actor) != province) revert NotTheFirmsProvince(actor, province);
            if (noticeEndsAt != 0) revert InvalidApplication("noticeEndsAt");
            a.stage = Stage.PROVINCE_REVIEWED;
            emit ApplicationReviewed(id, actor, Stage.PROVINCE_REVIEWED, checksHash, opinionHash);
            return;
        }
        if (a.stage != (a.grade == Grade.A ? Stage.PROVINCE_REVIEWED : Stage.ACCEPTED)) revert WrongStage(id, a.stage);
        _checkDecidingAuthority(actor, a);
        a.stage = Stage.REVIEWED;
        emit ApplicationReviewed(id, actor, Stage.REVIEWED, checksHash, opinionHash);
        if (noticeEndsAt != 0) _publishNotice(id, a, noticeEndsAt);
    }

    /// @inheritdoc ILicensingRegistry
    function expertReview(bytes32 id, bool begun) external {
        Application storage a = _existing(id);
        if (a.stage != Stage.ACCEPTED && a.stage != Stage.PROVINCE_REVIEWED) revert WrongStage(id, a.stage);
        _checkAcceptingAuthority(_msgSender(), a);
        uint8 flags = a.flags;
        bool inOrder = begun
            ? flags & FLAG_EXPERT_REVIEW_BEGUN == 0
            : flags & FLAG_EXPERT_REVIEW_BEGUN != 0 && flags & FLAG_EXPERT_REVIEW_ENDED == 0;
        if (!inOrder) revert ExpertReviewOutOfOrder(id);
        a.flags = flags | (begun ? FLAG_EXPERT_REVIEW_BEGUN : FLAG_EXPERT_REVIEW_ENDED);
        emit ExpertReview(id, _msgSender(), begun);
    }

    /// @inheritdoc ILicensingRegistry
    function extendDecision(bytes32 id, bytes32 reasonHash) external {
        Application storage a = _undecided(id);
        _checkDecidingAuthority(_msgSender(), a);
        if (a.flags & FLAG_EXTENDED != 0) revert AlreadyExtended(id);
        if (reasonHash == bytes32(0)) revert InvalidApplication("reasonHash");
        a.flags |= FLAG_EXTENDED;
        emit DecisionExtended(id, _msgSender(), reasonHash);
    }

    /// @inheritdoc ILicensingRegistry
    function publishNotice(bytes32 id, uint40 endsAt) external {
        Application storage a = _atStage(id, Stage.REVIEWED);
        _checkDecidingAuthority(_msgSender(), a);
        _publishNotice(id, a, endsAt);
    }

    /// @inheritdoc ILicensingRegistry
    function object(bytes32 id, bytes32 evidenceHash, bytes32 textHash) external returns (bytes32 objection) {
        address actor = _msgSender();
        Application storage a = _existing(id);
        if (a.stage != Stage.IN_NOTICE || block.timestamp >= a.noticeEndsAt) revert NotInNotice(id);
        if (textHash == bytes32(0)) revert InvalidApplication("textHash");
        objection = keccak256(abi.encode(id, actor, evidenceHash, textHash));
        if (_objections[objection] != bytes32(0)) revert AlreadyObjected(objection);
        _objections[objection] = id;
        ++a.openObjections;
        emit ObjectionRaised(id, objection, actor, evidenceHash, textHash);
    }

    /// @inheritdoc ILicensingRegistry
    function answerObjection(bytes32 objection, bytes32 answerHash) external {
        _answer(objection, answerHash);
    }

    /// @inheritdoc ILicensingRegistry
    function answerObjections(bytes32[] calldata objections, bytes32 answerHash) external {
        for (uint256 i; i < objections.length; ++i) {
            _answer(objections[i], answerHash);
        }
    }

    // ---------------------------------------------------------------- decision

    /// @inheritdoc ILicensingRegistry
    function approveFirst(bytes32 id, bytes32 dossier, ICertificateRegistry.IssueRequest calldata request)
        external
        returns (bytes32 certificate)
    {
        address actor = _msgSender();
        Application storage a = _atStage(id, Stage.IN_NOTICE);
        if (a.kind == ApplicationKind.PLANNER_REGISTRATION) return _approveRegistration(actor, id, a, dossier, request);
        // One read of the firm for both questions: its jurisdiction now, and whether it got a qualification since.
        (uint8 province, bytes32 held) = _certificates.firmOf(a.subject);
        if (province == 0) province = a.province;
        _certificates.checkAuthority(actor, Kind.FIRM, a.grade, province);
        _checkNoticeAndDossier(id, a, dossier);
        if (held != bytes32(0)) revert QualificationHeld(a.subject, held);
        if (a.kind != ApplicationKind.FIRST) revert DecisionMismatch("kind");
        if (request.kind != Kind.FIRM || request.grade != Grade.B) revert DecisionMismatch("grade");
        if (request.subject != a.subject) revert DecisionMismatch("subject");
        if (request.province != province) revert DecisionMismatch("province");
        if (a.flags & FLAG_PAPER == 0 && request.holder != a.applicant) revert DecisionMismatch("holder");
        a.stage = Stage.APPROVED;
        certificate = _certificates.issueFor(actor, request);
        emit ApplicationApproved(id, certificate, actor);
    }

    /// @inheritdoc ILicensingRegistry
    function approveSuccessor(bytes32 id, bytes32 dossier, ICertificateRegistry.SuccessorRequest calldata successor)
        external
        returns (bytes32 certificate)
    {
        address actor = _msgSender();
        Application storage a = _decidable(id, dossier);
        if (a.flags & FLAG_PAPER == 0) {
            // The key that filed must still be the certificate's (a replaced key's filings fall with it), and
            // the firm keeps the key its certificate names.
            address holder = _checkStillHolder(id, a);
            if (successor.holder != holder) revert DecisionMismatch("holder");
        }
        a.stage = Stage.APPROVED;
        if (a.kind == ApplicationKind.UPGRADE) {
            certificate = _certificates.upgradeFor(actor, a.certificate, successor);
        } else if (a.kind == ApplicationKind.RENEWAL || a.kind == ApplicationKind.PLANNER_RENEWAL) {
            certificate = _certificates.renewFor(actor, a.certificate, successor);
        } else {
            revert DecisionMismatch("kind");
        }
        emit ApplicationApproved(id, certificate, actor);
    }

    /// @inheritdoc ILicensingRegistry
    function approveChange(bytes32 id, bytes32 dossier, bytes32 documentHash, bytes calldata publicData) external {
        address actor = _msgSender();
        Application storage a = _reviewedDecidable(actor, id, dossier);
        bytes32 certificate = a.certificate;
        address holder = a.flags & FLAG_PAPER == 0 ? _checkStillHolder(id, a) : _certificates.certificate(certificate).holder;
        a.stage = Stage.APPROVED;
        if (a.kind == ApplicationKind.CHANGE) {
            _certificates.amendFor(actor, certificate, holder, documentHash, publicData); // the key is kept
        } else if (a.kind == ApplicationKind.PLANNER_CHANGE) {
            _checkConsents(id, a, certificate);
            _certificates.transferFor(actor, certificate, a.employer, documentHash, publicData);
        } else {
            revert DecisionMismatch("kind");
        }
        emit ApplicationApproved(id, certificate, actor);
    }

    /// @inheritdoc ILicensingRegistry
    function approveCancellation(bytes32 id, bytes32 dossier) external {
        address actor = _msgSender();
        Application storage a = _reviewedDecidable(actor, id, dossier);
        if (a.kind != ApplicationKind.CANCELLATION && a.kind != ApplicationKind.PLANNER_CANCELLATION) {
            revert DecisionMismatch("kind");
        }
        if (a.flags & FLAG_PAPER == 0) _checkStillHolder(id, a);
        a.stage = Stage.APPROVED;
        _certificates.revokeFor(actor, a.certificate, _CANCELLATION);
        emit ApplicationApproved(id, a.certificate, actor);
    }

    /// @inheritdoc ILicensingRegistry
    function consent(bytes32 id) external {
        address actor = _msgSender();
        Application storage a = _existing(id);
        if (a.kind != ApplicationKind.PLANNER_CHANGE) revert InvalidApplication("kind");
        if (a.stage >= Stage.APPROVED) revert WrongStage(id, a.stage);
        bytes32 leaving = _leaving[id];
        bool asLeaving = _holderOf(leaving) == actor;
        bool asJoining = _holderOf(a.employer) == actor;
        if (!asLeaving && !asJoining) revert NotEmployer(id, actor);
        if (asLeaving) {
            _leavingConsent[id] = actor;
            emit EmployerConsented(id, leaving, actor);
        }
        if (asJoining) {
            _joiningConsent[id] = actor;
            emit EmployerConsented(id, a.employer, actor);
        }
    }

    /// @inheritdoc ILicensingRegistry
    function refuse(bytes32 id, bytes32 reasonsHash) external {
        Application storage a = _undecided(id);
        _checkDecidingAuthority(_msgSender(), a);
        if (reasonsHash == bytes32(0)) revert InvalidApplication("reasonsHash");
        a.stage = Stage.REFUSED;
        emit ApplicationRefused(id, _msgSender(), reasonsHash);
    }

    /// @inheritdoc ILicensingRegistry
    function withdraw(bytes32 id) external {
        Application storage a = _existing(id);
        if (a.stage >= Stage.APPROVED) revert WrongStage(id, a.stage);
        _checkApplicant(id, a);
        a.stage = Stage.WITHDRAWN;
        emit ApplicationWithdrawn(id, _msgSender());
    }

    // ---------------------------------------------------------------- four-eyes revocation

    /// @inheritdoc ILicensingRegistry
    function proposeRevocation(bytes32 certificate, uint16 reason, bytes32 evidenceHash)
        external
        returns (bytes32 proposal)
    {
        address actor = _msgSender();
        _checkAuthorityOver(actor, certificate);
        if (reason == 0) revert MissingReason();
        if (evidenceHash == bytes32(0)) revert InvalidApplication("evidenceHash");
        proposal = keccak256(abi.encode(certificate, reason, evidenceHash, actor));
        if (_proposals[proposal].proposer != address(0)) revert AlreadyProposed(proposal);
        _proposals[proposal] =
            Proposal(certificate, actor, reason, _isMinistry(actor), _certificates.provinceOf(actor), false);
        emit RevocationProposed(proposal, certificate, actor, reason, evidenceHash);
    }

    /// @inheritdoc ILicensingRegistry
    function confirmRevocation(bytes32 proposal) external {
        address actor = _msgSender();
        Proposal memory p = _proposals[proposal];
        if (p.proposer == address(0) || p.closed) revert UnknownProposal(proposal);
        if (actor == p.proposer) revert SameRegulator(actor);
        if (_isMinistry(actor) != p.byMinistry || _certificates.provinceOf(actor) != p.province) {
            revert OtherAuthority(actor);
        }
        _proposals[proposal].closed = true;
        // revokeFor judges the confirmer's authority over the certificate as it is now.
        _certificates.revokeFor(actor, p.certificate, p.reason);
        emit RevocationConfirmed(proposal, p.certificate, actor);
    }

    /// @inheritdoc ILicensingRegistry
    function withdrawRevocation(bytes32 proposal) external {
        address actor = _msgSender();
        Proposal storage p = _proposals[proposal];
        if (p.proposer == address(0) || p.closed) revert UnknownProposal(proposal);
        if (actor != p.proposer) revert NotProposer(proposal, actor);
        p.closed = true;
        emit RevocationWithdrawn(proposal, p.certificate, actor);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ILicensingRegistry
    function application(bytes32 id) external view returns (Application memory) {
        return _existing(id);
    }

    /// @notice The contract that relays signed steps (LicensingActs): this registry takes the signer it appends to
    /// a call as the step's actor (ERC-2771), and trusts no other forwarder.
    function trustedForwarder() public view override returns (address) {
        return _signedActs;
    }

    /// @notice The certificate registry this procedure issues through.
    function certificates() external view returns (ICertificateRegistry) {
        return _certificates;
    }

    // ---------------------------------------------------------------- helpers

    function _file(ApplicationRequest calldata r, bool paper) private returns (bytes32 id) {
        address actor = _msgSender();
        if (r.dossier == bytes32(0)) revert InvalidApplication("dossier");
        bytes32 subject;
        Grade grade;
        uint8 province;
        if (r.kind == ApplicationKind.FIRST) {
            (subject, grade, province) = _firstApplication(r);
        } else if (r.kind == ApplicationKind.PLANNER_REGISTRATION) {
            (subject, grade, province) = _registration(r);
        } else {
            (subject, grade, province) = _aboutCertificate(r, paper, actor);
        }
        id = keccak256(abi.encode(r.certificate == bytes32(0) ? subject : r.certificate, r.kind, r.dossier, actor));
        Application storage a = _applications[id];
        if (a.stage != Stage.NONE) revert AlreadyFiled(id);
        // Zero fields are left unwritten: a first application names no certificate.
        a.subject = subject;
        if (r.certificate != bytes32(0)) a.certificate = r.certificate;
        a.dossier = r.dossier;
        a.applicant = actor;
        a.kind = r.kind;
        a.stage = Stage.FILED;
        a.grade = grade;
        a.province = province;
        a.flags = paper ? FLAG_PAPER : 0;
        if (r.employer != bytes32(0)) a.employer = r.employer;
        if (r.kind == ApplicationKind.PLANNER_CHANGE) _leaving[id] = _certificates.certificate(r.certificate).employer;
        // A filing on paper is recorded by the authority that accepts it.
        if (paper) _checkAcceptingAuthority(actor, a);
        _announceFiled(id, a, r);
    }

    /// @dev FIRST: a firm not qualified now, in the province it names (its binding, if it had one).
    function _firstApplication(ApplicationRequest calldata r) private view returns (bytes32, Grade, uint8) {
        if (r.subject == bytes32(0) || r.certificate != bytes32(0)) revert InvalidApplication("subject");
        if (r.employer != bytes32(0)) revert InvalidApplication("employer");
        if (!isProvinceCode(r.province)) revert InvalidProvince(r.province);
        // A firm never qualified has no binding: only a known one can hold a qualification, or another province.
        uint8 bound = _certificates.firmProvinceOf(r.subject);
        if (bound != 0) {
            if (bound != r.province) revert SubjectInOtherProvince(r.subject, bound);
            bytes32 held = _certificates.qualificationOf(r.subject);
            if (held != bytes32(0)) revert QualificationHeld(r.subject, held);
        }
        return (r.subject, Grade.B, r.province);
    }

    /// @dev PLANNER_REGISTRATION: a planner without a live registration, with a qualified employer.
    function _registration(ApplicationRequest calldata r) private view returns (bytes32, Grade, uint8) {
        if (r.subject == bytes32(0) || r.certificate != bytes32(0) || r.province != 0) {
            revert InvalidApplication("subject");
        }
        if (r.employer == bytes32(0)) revert InvalidApplication("employer");
        bytes32 registered = _certificates.registrationOf(r.subject);
        if (registered != bytes32(0)) revert QualificationHeld(r.subject, registered);
        if (_certificates.qualificationOf(r.employer) == bytes32(0)) revert EmployerNotQualified(r.employer);
        return (r.subject, Grade.NONE, 0);
    }

    /// @dev Every other kind is about a certificate held, applied for by its holder key (unless on paper): a firm's
    /// for UPGRADE, RENEWAL, CHANGE and CANCELLATION, a planner's for the PLANNER_ kinds; live (a cancellation may
    /// end a suspended one too). A change of employer names a firm other than the employer now.
    function _aboutCertificate(ApplicationRequest calldata r, bool paper, address actor)
        private
        view
        returns (bytes32, Grade, uint8)
    {
        ApplicationKind kind = r.kind;
        if (kind == ApplicationKind.NONE) revert InvalidApplication("kind");
        if (r.subject != bytes32(0) || r.province != 0) revert InvalidApplication("certificate");
        ICertificateRegistry.Certificate memory c = _certificates.certificate(r.certificate);
        Kind expected = _isPlannerKind(kind) ? Kind.PLANNER : Kind.FIRM;
        if (c.kind != expected) revert WrongKind(r.certificate, c.kind);
        // Only a certificate in force: a suspended one (暂扣, often under investigation) is not cancelled at its
        // holder's request before the authority has decided on it.
        Status status = _certificates.statusOf(r.certificate);
        if (status != Status.ACTIVE) revert WrongStatus(r.certificate, status);
        if (kind == ApplicationKind.UPGRADE && c.grade != Grade.B) revert InvalidGrade(c.kind, c.grade);
        if (kind == ApplicationKind.PLANNER_CHANGE) {
            if (r.employer == bytes32(0) || r.employer == c.employer) revert InvalidApplication("employer");
        } else if (r.employer != bytes32(0)) {
            revert InvalidApplication("employer");
        }
        if (!paper && actor != c.holder) revert NotApplicant(bytes32(0), actor);
        // A planner's application is the registrar's, nationwide: it belongs to no province's queue.
        return (c.subject, kind == ApplicationKind.UPGRADE ? Grade.A : c.grade, expected == Kind.PLANNER ? 0 : c.province);
    }

    /// @dev The key that filed about `a.certificate` is still its holder's (a replaced key's filings fall with
    /// it); returns that holder.
    function _checkStillHolder(bytes32 id, Application storage a) private view returns (address holder) {
        holder = _certificates.certificate(a.certificate).holder;
        if (holder != a.applicant) revert NotApplicant(id, a.applicant);
    }

    /// @dev A change of employer: the planner still works for the firm it leaves, and each firm consented with
    /// the key that is its qualification's now. A firm that has lost its qualification since is not asked.
    function _checkConsents(bytes32 id, Application storage a, bytes32 certificate) private view {
        bytes32 leaving = _leaving[id];
        if (_certificates.certificate(certificate).employer != leaving) revert DecisionMismatch("employer");
        if (_certificates.qualificationOf(leaving) != bytes32(0)) {
            address key = _leavingConsent[id];
            if (key == address(0) || key != _holderOf(leaving)) revert ConsentMissing(id, leaving);
        }
        address joining = _joiningConsent[id];
        if (joining == address(0) || joining != _holderOf(a.employer)) revert ConsentMissing(id, a.employer);
    }

    /// @dev A planner's registration, at the end of its notice: `request` is the registration applied for.
    function _approveRegistration(
        address actor,
        bytes32 id,
        Application storage a,
        bytes32 dossier,
        ICertificateRegistry.IssueRequest calldata request
    ) private returns (bytes32 certificate) {
        _checkDecidingAuthority(actor, a);
        _checkNoticeAndDossier(id, a, dossier);
        if (request.kind != Kind.PLANNER) revert DecisionMismatch("kind");
        if (request.subject != a.subject) revert DecisionMismatch("subject");
        if (request.employer != a.employer) revert DecisionMismatch("employer");
        if (a.flags & FLAG_PAPER == 0 && request.holder != a.applicant) revert DecisionMismatch("holder");
        a.stage = Stage.APPROVED;
        certificate = _certificates.issueFor(actor, request);
        emit ApplicationApproved(id, certificate, actor);
    }

    /// @dev An application decided without a notice (a change, a cancellation): reviewed, or noticed and the
    /// notice over with every objection answered; `dossier` the one reviewed; `actor` may decide it.
    function _reviewedDecidable(address actor, bytes32 id, bytes32 dossier) private view returns (Application storage a) {
        a = _existing(id);
        if (a.stage == Stage.IN_NOTICE) {
            _checkNoticeAndDossier(id, a, dossier);
        } else if (a.stage != Stage.REVIEWED) {
            revert WrongStage(id, a.stage);
        } else if (dossier != a.dossier) {
            revert DossierChanged(id, a.dossier);
        }
        _checkDecidingAuthority(actor, a);
    }

    /// @dev The key of `firm`'s live qualification (zero: none).
    function _holderOf(bytes32 firm) private view returns (address) {
        bytes32 qualification = _certificates.qualificationOf(firm);
        return qualification == bytes32(0) ? address(0) : _certificates.certificate(qualification).holder;
    }

    function _isPlannerKind(ApplicationKind kind) private pure returns (bool) {
        return kind >= ApplicationKind.PLANNER_REGISTRATION;
    }

    /// @dev ApplicationFiled from what was just stored (warm slots: a few hundred gas, and no stack too deep).
    function _announceFiled(bytes32 id, Application storage a, ApplicationRequest calldata r) private {
        emit ApplicationFiled(
            id,
            a.subject,
            r.certificate,
            a.applicant,
            a.kind,
            a.grade,
            a.province,
            a.dossier,
            a.flags & FLAG_PAPER != 0,
            r.publicData
        );
        if (r.employer != bytes32(0)) emit EmployerNamed(id, r.employer);
    }

    /// @dev Answers one objection, as the deciding authority of its application.
    function _answer(bytes32 objection, bytes32 answerHash) private {
        address actor = _msgSender();
        bytes32 id = _objections[objection];
        if (id == bytes32(0) || _answered[objection]) revert UnknownObjection(objection);
        Application storage a = _applications[id];
        _checkDecidingAuthority(actor, a);
        if (answerHash == bytes32(0)) revert InvalidApplication("answerHash");
        _answered[objection] = true;
        --a.openObjections;
        emit ObjectionAnswered(id, objection, actor, answerHash);
    }

    /// @dev Puts the reviewed application `a` in notice until `endsAt`, at least MIN_NOTICE_PERIOD from now.
    function _publishNotice(bytes32 id, Application storage a, uint40 endsAt) private {
        uint40 earliest = uint40(block.timestamp) + MIN_NOTICE_PERIOD;
        if (endsAt < earliest) revert NoticeTooShort(endsAt, earliest);
        uint40 latest = uint40(block.timestamp) + MAX_NOTICE_PERIOD;
        if (endsAt > latest) revert NoticeTooLong(endsAt, latest);
        a.noticeEndsAt = endsAt;
        a.stage = Stage.IN_NOTICE;
        emit NoticePublished(id, _msgSender(), endsAt);
    }

    /// @dev The application `id` at the decision: noticed for its whole period, every objection answered, and
    /// `dossier` the one filed and reviewed; the actor may decide it.
    function _decidable(bytes32 id, bytes32 dossier) private view returns (Application storage a) {
        a = _atStage(id, Stage.IN_NOTICE);
        _checkDecidingAuthority(_msgSender(), a);
        _checkNoticeAndDossier(id, a, dossier);
    }

    function _checkNoticeAndDossier(bytes32 id, Application storage a, bytes32 dossier) private view {
        if (block.timestamp < a.noticeEndsAt) revert NoticeRunning(id, a.noticeEndsAt);
        if (a.openObjections != 0) revert ObjectionsUnanswered(id, a.openObjections);
        if (dossier != a.dossier) revert DossierChanged(id, a.dossier);
    }

    /// @dev Accepted and not decided yet: ACCEPTED, PROVINCE_REVIEWED, REVIEWED or IN_NOTICE.
    function _undecided(bytes32 id) private view returns (Application storage a) {
        a = _existing(id);
        if (a.stage < Stage.ACCEPTED || a.stage > Stage.IN_NOTICE) revert WrongStage(id, a.stage);
    }

    function _atStage(bytes32 id, Stage stage) private view returns (Application storage a) {
        a = _existing(id);
        if (a.stage != stage) revert WrongStage(id, a.stage);
    }

    function _existing(bytes32 id) private view returns (Application storage a) {
        a = _applications[id];
        if (a.stage == Stage.NONE) revert UnknownApplication(id);
    }

    /// @dev The applicant's own steps: the key that filed; for a filing on paper, the deciding authority (never a
    /// province for a grade A application it has forwarded).
    function _checkApplicant(bytes32 id, Application storage a) private view {
        address actor = _msgSender();
        if (a.flags & FLAG_PAPER != 0) {
            _checkDecidingAuthority(actor, a);
        } else if (actor != a.applicant) {
            revert NotApplicant(id, actor);
        } else if (a.certificate != bytes32(0) && _certificates.certificate(a.certificate).holder != actor) {
            revert NotApplicant(id, actor); // its key was replaced since it filed
        }
    }

    /// @dev Acceptance (and a grade A application's handling until the ministry reviews it) is the firm's
    /// province's, or the ministry's: whoever may act on the firm's grade B certificates.
    function _checkAcceptingAuthority(address actor, Application storage a) private view {
        if (_isPlannerKind(a.kind)) return _certificates.checkAuthority(actor, Kind.PLANNER, Grade.NONE, 0);
        _certificates.checkAuthority(actor, Kind.FIRM, Grade.B, _province(a));
    }

    /// @dev The decision (and the notice, its objections and an extension) is the authority over the grade
    /// decided about: the province for grade B, the ministry for grade A.
    function _checkDecidingAuthority(address actor, Application storage a) private view {
        if (_isPlannerKind(a.kind)) return _certificates.checkAuthority(actor, Kind.PLANNER, Grade.NONE, 0);
        _certificates.checkAuthority(actor, Kind.FIRM, a.grade, _province(a));
    }

    /// @dev The firm's jurisdiction now: its binding in the certificate registry (which moveFirm changes), or, for
    /// a firm never qualified, the province its first application named.
    function _province(Application storage a) private view returns (uint8) {
        uint8 bound = _certificates.firmProvinceOf(a.subject);
        return bound != 0 ? bound : a.province;
    }

    function _checkAuthorityOver(address actor, bytes32 certificate) private view {
        ICertificateRegistry.Certificate memory c = _certificates.certificate(certificate);
        _certificates.checkAuthority(actor, c.kind, c.grade, c.province);
    }

    function _isMinistry(address account) private view returns (bool) {
        return _certificates.hasRole(_MINISTRY_ROLE, account);
    }
}
